// @ts-check
// The single sign-on providers' buttons ("Sign in with EU Login"): links, since
// signing in through a provider is a browser navigation to it and back, never a
// fetch. The provider chosen is remembered in this tab, so that the sign-in page can
// name it if the sign-in comes back refused.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone-3.1.1.js";
import { listSignInServices } from "../api/session.js";

/** @typedef {import("../api/session.js").SignInService} SignInService */

const CHOSEN_KEY = "buysocial.sign-in-service";

/**
 * The providers, once the API has said which there are: null until then (and an empty
 * list when it could not say: signing in with a password still works).
 */
export function useSignInServices() {
  const [services, setServices] = useState(/** @type {SignInService[] | null} */ (null));
  useEffect(() => {
    listSignInServices().then(setServices).catch(() => setServices([]));
  }, []);
  return services;
}

/**
 * The provider a sign-in that just came back went through: the one whose button was
 * pressed in this tab, else the only one there is; null when that cannot be told.
 * @param {SignInService[]} services
 * @returns {SignInService | null}
 */
export function chosenService(services) {
  const id = sessionStorage.getItem(CHOSEN_KEY);
  return services.find((service) => service.id === id) || (services.length === 1 ? services[0] : null);
}

/**
 * One button per provider: a link styled as a button.
 * @param {{ services: SignInService[], describedBy?: string }} props
 */
export function SignInServiceButtons({ services, describedBy }) {
  return html`<div class="actions">
    ${services.map((service) => html`<a class="button secondary" href=${service.start_url}
      aria-describedby=${describedBy} onClick=${() => sessionStorage.setItem(CHOSEN_KEY, service.id)}
      >Sign in with ${service.display_name}</a>`)}
  </div>`;
}
