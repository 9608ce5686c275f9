// Types for what the app uses of the vendored htm 3.1.1 standalone build of Preact,
// written by hand (the build ships none) for `tsc --checkJs`; see .ci/admin-typecheck.
// Not loaded by the browser.

/** What `html` makes: a Preact element, or several. */
export interface VNode {
  type: unknown;
  props: Record<string, unknown>;
  key?: unknown;
}

/** A tagged template of HTML and components: html`<${Component} prop=${value} />`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): VNode;

export function render(vnode: VNode, parent: Element | DocumentFragment): void;

export type StateUpdater<S> = (value: S | ((previous: S) => S)) => void;

export function useState<S>(initial: S | (() => S)): [S, StateUpdater<S>];

/** An effect may return its clean-up; other values it returns are ignored. */
export function useEffect(effect: () => unknown, inputs?: readonly unknown[]): void;

export function useLayoutEffect(effect: () => unknown, inputs?: readonly unknown[]): void;

export function useRef<T>(initial: T): { current: T };

export function useMemo<T>(factory: () => T, inputs: readonly unknown[]): T;
