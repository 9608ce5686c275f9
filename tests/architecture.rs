//! The shape of `src/services/` (see `docs/development.md`, "Architecture"): its files
//! import each other without circles. A circle means no part can be understood, tested
//! or changed alone; a new one fails here, naming the files and the imports that close it.
//!
//! Read from the source as text, as a reviewer reads it: every `use crate::services::…`
//! and `use super::…` names the file it reaches (the deepest module path that is a
//! file, or a child module named in braces). A folder's `mod.rs` re-exporting its own
//! children (`pub use child::…`, `mod child;`) is a facade, not a dependency, and draws
//! no arrow; anything else it imports does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[test]
fn services_import_each_other_without_circles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = imports(&root, &root.join("services"));
    let circles = circles(&graph);
    assert!(
        circles.is_empty(),
        "import circles among src/services/ (break each, e.g. by moving the shared part \
         into the kernel or into a file both import):\n{}",
        circles
            .iter()
            .map(|circle| describe(circle, &graph))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_kernel_imports_no_feature() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = imports(&root, &root.join("services"));
    let kernel = Path::new("services/kernel");
    let allowed = [
        "services/kernel",
        "services/pagination.rs",
        "services/scopes.rs",
    ];
    let reaching: Vec<String> = graph
        .iter()
        .filter(|(file, _)| file.starts_with(kernel))
        .flat_map(|(file, targets)| {
            targets
                .iter()
                .filter(|target| !allowed.iter().any(|a| target.starts_with(a)))
                .map(move |target| format!("{} -> {}", file.display(), target.display()))
        })
        .collect();
    assert!(
        reaching.is_empty(),
        "the kernel reaches features: {reaching:#?}"
    );
}

/// Every write that a person, a token or the scheduler makes goes through a
/// `UnitOfWork` (its events, audit entry and cache effects in one place): only the
/// kernel and the machinery that works the outbox itself open a write transaction.
#[test]
fn writes_go_through_a_unit_of_work() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed = [
        "db.rs",
        "services/kernel/unit_of_work.rs",
        // Moves the shared cache version once a unit of work has committed.
        "services/kernel/cache_notices.rs",
        // Turn outbox rows into webhook deliveries and send them; claim queued mails.
        "services/webhooks/fanout.rs",
        "services/webhooks/sender.rs",
        "services/mail/sender.rs",
    ];
    let opening: Vec<String> = rust_files(&root)
        .into_iter()
        .filter(|file| {
            let relative = file.strip_prefix(&root).unwrap();
            !allowed.iter().any(|a| relative == Path::new(a))
        })
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            code.contains("begin_write(")
        })
        .map(|file| file.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(
        opening.is_empty(),
        "these open a write transaction of their own; use UnitOfWork::begin: {opening:#?}"
    );
}

/// Each file under `dir` (relative to `root`) and the files of `dir` it imports.
fn imports(root: &Path, dir: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut graph = BTreeMap::new();
    for file in rust_files(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let relative = file.strip_prefix(root).unwrap().to_path_buf();
        let mut targets = BTreeSet::new();
        for statement in use_statements(&text) {
            let facade = relative.ends_with("mod.rs") && statement.starts_with("pub use ");
            for path in expand(
                statement
                    .trim_start_matches("pub ")
                    .trim_start_matches("use "),
            ) {
                let Some(segments) = absolute(&relative, &path) else {
                    continue;
                };
                if let Some(target) = resolve(root, &segments)
                    && target != relative
                    && !(facade && target.parent() == relative.parent())
                {
                    targets.insert(target);
                }
            }
        }
        for path in inline_paths(&text) {
            if let Some(target) = absolute(&relative, &path).and_then(|s| resolve(root, &s))
                && target != relative
            {
                targets.insert(target);
            }
        }
        graph.insert(relative, targets);
    }
    graph
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The `use` statements of a file outside its `#[cfg(test)]` module, each on one line.
fn use_statements(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut statements = Vec::new();
    let mut current: Option<String> = None;
    for line in code.lines() {
        let line = line.trim();
        if let Some(open) = current.as_mut() {
            open.push_str(line);
        } else if line.starts_with("use ") || line.starts_with("pub use ") {
            current = Some(line.to_owned());
        }
        if current.as_ref().is_some_and(|s| s.ends_with(';')) {
            statements.extend(current.take());
        }
    }
    statements
}

/// Paths written out in code (`super::reviews::open_locales(…)`,
/// `crate::services::people::names(…)`), outside comments and the tests module.
fn inline_paths(text: &str) -> Vec<Vec<String>> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut paths = Vec::new();
    for line in code.lines().map(str::trim) {
        if line.starts_with("//") || line.starts_with("use ") || line.starts_with("pub use ") {
            continue;
        }
        for start in ["crate::services::", "super::"] {
            let mut rest = line;
            while let Some(at) = rest.find(start) {
                let preceded = rest[..at].chars().last();
                let path: String = rest[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                if !preceded.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    paths.push(
                        path.split("::")
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect(),
                    );
                }
                rest = &rest[at + path.len().max(1)..];
            }
        }
    }
    paths
}

/// `a::{b, c::{d, e}}` as its paths: `a::b`, `a::c::d`, `a::c::e` (`self` is the prefix).
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim().trim_end_matches(';');
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        return vec![
            path.split("::")
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        ];
    };
    let prefix: Vec<String> = tree[..open]
        .split("::")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut paths = Vec::new();
    for part in split_top_level(inner) {
        for tail in expand(&part) {
            let mut path = prefix.clone();
            path.extend(tail.into_iter().filter(|s| s != "self"));
            paths.push(path);
        }
    }
    paths
}

fn split_top_level(inner: &str) -> Vec<String> {
    let (mut parts, mut depth, mut current) = (Vec::new(), 0, String::new());
    for c in inner.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// A path of a `use` as module segments from `src/` (`crate::` dropped, `super::`
/// resolved against `file`); `None` for other crates.
fn absolute(file: &Path, path: &[String]) -> Option<Vec<String>> {
    let mut module: Vec<String> = file
        .with_extension("")
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    if module.last().is_some_and(|m| m == "mod") {
        module.pop();
    }
    match path.first().map(String::as_str) {
        Some("crate") => Some(path[1..].to_vec()),
        Some("super") => {
            let mut segments = path;
            while segments.first().is_some_and(|s| s == "super") {
                module.pop();
                segments = &segments[1..];
            }
            module.extend(segments.iter().cloned());
            Some(module)
        }
        Some("self") => {
            module.extend(path[1..].iter().cloned());
            Some(module)
        }
        _ => None,
    }
}

/// The deepest file the segments name (`a/b.rs` or `a/b/mod.rs`), under `services/`.
fn resolve(root: &Path, segments: &[String]) -> Option<PathBuf> {
    if segments.first().is_none_or(|s| s != "services") {
        return None;
    }
    (1..=segments.len()).rev().find_map(|n| {
        let module: PathBuf = segments[..n].iter().collect();
        [module.with_extension("rs"), module.join("mod.rs")]
            .into_iter()
            .find(|candidate| root.join(candidate).is_file())
    })
}

/// The strongly connected components of more than one file (Tarjan).
fn circles(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'g PathBuf, usize>,
        low: BTreeMap<&'g PathBuf, usize>,
        stack: Vec<&'g PathBuf>,
        on_stack: BTreeSet<&'g PathBuf>,
        found: Vec<Vec<PathBuf>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, file: &'g PathBuf) {
            let n = self.index.len();
            self.index.insert(file, n);
            self.low.insert(file, n);
            self.stack.push(file);
            self.on_stack.insert(file);
            for target in self.graph.get(file).into_iter().flatten() {
                if !self.index.contains_key(target) {
                    self.visit(target);
                    let low = self.low[file].min(self.low[target]);
                    self.low.insert(file, low);
                } else if self.on_stack.contains(target) {
                    let low = self.low[file].min(self.index[target]);
                    self.low.insert(file, low);
                }
            }
            if self.low[file] == self.index[file] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    component.push(top.clone());
                    if top == file {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for file in graph.keys() {
        if !walk.index.contains_key(file) {
            walk.visit(file);
        }
    }
    walk.found
}

fn describe(circle: &[PathBuf], graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> String {
    let arrows: Vec<String> = circle
        .iter()
        .flat_map(|file| {
            graph[file]
                .iter()
                .filter(|target| circle.contains(target))
                .map(move |target| format!("    {} -> {}", file.display(), target.display()))
        })
        .collect();
    format!("  circle of {} files:\n{}", circle.len(), arrows.join("\n"))
}
