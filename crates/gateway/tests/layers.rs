//! The gateway's layers and the direction of its imports (docs/architecture.md, "Inside
//! `assent-gateway`"):
//!
//! ```text
//! app ──▶ http ──▶ flows ──▶ rules ──▶ base
//!                       └──▶ store ──▶ base
//! ```
//!
//! A file may name its own layer and the layers below it, never one above; `rules` and
//! `store` do not name each other; only `http` and `app` name the web framework; no three
//! files name each other in a circle. This test reads every source file of the crate and
//! fails on an import against the direction. It reads the code as text (no parser crate is
//! needed for `crate::` paths and `use` trees), so its own checker is tested below on
//! sources written to break each rule.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers from the bottom; a layer may name those at or below its rank, except the
/// other layer of the same rank.
const LAYERS: &[(&str, u8)] = &[
    ("base", 0),
    ("rules", 1),
    ("store", 1),
    ("flows", 2),
    ("http", 3),
    ("app", 4),
];

/// The web framework and its companions: named in `http` and `app` only.
const WEB_CRATES: &[&str] = &[
    "axum",
    "axum_server",
    "utoipa",
    "utoipa_axum",
    "hyper",
    "hyper_util",
    "http_body",
    "tower",
    "tower_service",
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    file: String,
    names: String,
    why: &'static str,
}

/// One source file: its module path (`flows::acme` for `src/flows/acme/mod.rs`) and text.
#[derive(Debug)]
struct Source {
    file: String,
    module: Vec<String>,
    text: String,
}

fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "lib" {
            parts.push(stem.to_owned());
        }
    }
    parts
}

fn read_sources(src: &Path) -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(src).unwrap().to_path_buf();
            Source {
                file: relative.to_string_lossy().replace('\\', "/"),
                module: module_of(&relative),
                text: std::fs::read_to_string(&path).unwrap(),
            }
        })
        .collect()
}

/// The text without comments and without the contents of string and char literals, so
/// that neither a doc link nor a message names a module.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(text.len(), |n| i + n);
            i = end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(text.len(), |n| i + n + 2);
            i = end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|c| *c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let open = 2 + hashes;
            let end = rest[open..]
                .find(&close)
                .map_or(text.len(), |n| i + open + n + close.len());
            out.push_str("\"\"");
            i = end;
        } else if rest.starts_with('"') {
            let mut j = 1;
            let rb = rest.as_bytes();
            while j < rb.len() && rb[j] != b'"' {
                j += if rb[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += (j + 1).min(rest.len());
        } else if rest.starts_with('\'') {
            // A char literal ('a', '\n', '\u{1F600}') or a lifetime ('a).
            let rb = rest.as_bytes();
            let literal_end = if rb.get(1) == Some(&b'\\') {
                rest[2..].find('\'').map(|n| n + 3)
            } else {
                rest.char_indices()
                    .nth(2)
                    .filter(|(_, c)| *c == '\'')
                    .map(|(n, _)| n + 1)
            };
            match literal_end {
                Some(n) => {
                    out.push_str("' '");
                    i += n;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path a `use` tree or an expression names after `crate::` / `super::`, each as its
/// segments (`crate::{a::b, c}` → `[a, b]`, `[c]`).
fn paths_after(text: &str, start: usize) -> Vec<Vec<String>> {
    fn tree(chars: &[char], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = prefix;
        loop {
            while *i < chars.len() && chars[*i].is_whitespace() {
                *i += 1;
            }
            if *i < chars.len() && chars[*i] == '{' {
                *i += 1;
                loop {
                    tree(chars, i, path.clone(), out);
                    while *i < chars.len() && chars[*i].is_whitespace() {
                        *i += 1;
                    }
                    match chars.get(*i) {
                        Some(',') => {
                            *i += 1;
                            while *i < chars.len() && chars[*i].is_whitespace() {
                                *i += 1;
                            }
                            if chars.get(*i) == Some(&'}') {
                                *i += 1;
                                return;
                            }
                        }
                        Some('}') => {
                            *i += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            let begin = *i;
            while *i < chars.len() && is_ident(chars[*i]) {
                *i += 1;
            }
            if *i == begin {
                if !path.is_empty() {
                    out.push(path);
                }
                return;
            }
            path.push(chars[begin..*i].iter().collect());
            if chars.get(*i) == Some(&':') && chars.get(*i + 1) == Some(&':') {
                *i += 2;
            } else {
                out.push(path);
                return;
            }
        }
    }
    let chars: Vec<char> = text[start..].chars().take(4000).collect();
    let mut out = Vec::new();
    let mut i = 0;
    tree(&chars, &mut i, Vec::new(), &mut out);
    out
}

/// The modules a file names, resolved against the crate's module tree, and the web crates
/// it names.
fn references(
    source: &Source,
    modules: &BTreeSet<Vec<String>>,
    crate_name: &str,
) -> (BTreeSet<Vec<String>>, BTreeSet<String>) {
    let code = code_only(&source.text);
    let mut named = BTreeSet::new();
    let mut web = BTreeSet::new();
    let mut roots: Vec<(String, Vec<String>)> = vec![
        ("crate::".to_owned(), Vec::new()),
        (format!("{crate_name}::"), Vec::new()),
    ];
    // `super::` is the parent of the file's module (`flows::acme` in
    // `flows/acme/objects.rs` and in `flows/acme/mod.rs`'s child modules alike).
    let mut parent = source.module.clone();
    parent.pop();
    roots.push(("super::".to_owned(), parent));
    for (root, base) in &roots {
        let mut from = 0;
        while let Some(found) = code[from..].find(root.as_str()) {
            let at = from + found;
            from = at + root.len();
            if at > 0 && code[..at].chars().next_back().is_some_and(is_ident) {
                continue;
            }
            if code[..at].ends_with("::") {
                continue; // the second `super::` of `super::super::`: read with the first
            }
            let mut base = base.clone();
            let mut after = at + root.len();
            if root == "super::" {
                while code[after..].starts_with("super::") {
                    base.pop();
                    after += "super::".len();
                }
            }
            for path in paths_after(&code, after) {
                let mut full = base.clone();
                full.extend(path);
                // The deepest module the path names.
                while !full.is_empty() && !modules.contains(&full) {
                    full.pop();
                }
                if !full.is_empty() {
                    named.insert(full);
                }
            }
        }
    }
    for name in WEB_CRATES {
        let needle = format!("{name}::");
        let mut from = 0;
        while let Some(found) = code[from..].find(&needle) {
            let at = from + found;
            from = at + needle.len();
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            web.insert((*name).to_owned());
        }
    }
    (named, web)
}

fn layer_of(module: &[String]) -> Option<(&'static str, u8)> {
    let top = module.first()?;
    LAYERS.iter().find(|(name, _)| name == top).copied()
}

/// Checks `sources` (relative file names, module paths, texts): every violation found.
fn check(sources: &[Source], crate_name: &str) -> (Vec<Violation>, Vec<Vec<String>>) {
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    let file_of: BTreeMap<&Vec<String>, &str> = sources
        .iter()
        .map(|s| (&s.module, s.file.as_str()))
        .collect();
    let mut violations = Vec::new();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources {
        // lib.rs declares the layers and re-exports the app's entry points; main.rs is the
        // command line over the app: both stand above every layer.
        let this = if source.file == "lib.rs" || source.file == "main.rs" {
            Some(("app", 5))
        } else {
            layer_of(&source.module)
        };
        let Some((this_name, this_rank)) = this else {
            violations.push(Violation {
                file: source.file.clone(),
                names: String::new(),
                why: "a file outside every layer",
            });
            continue;
        };
        let (named, web) = references(source, &modules, crate_name);
        for target in &named {
            if *target == source.module {
                continue;
            }
            if let Some(file) = file_of.get(target) {
                graph
                    .entry(source.file.clone())
                    .or_default()
                    .insert((*file).to_owned());
            }
            let Some((name, rank)) = layer_of(target) else {
                continue;
            };
            let why = if rank > this_rank {
                Some("names a layer above its own")
            } else if rank == this_rank && name != this_name {
                Some("names the other layer of its rank (rules and store are independent)")
            } else {
                None
            };
            if let Some(why) = why {
                violations.push(Violation {
                    file: source.file.clone(),
                    names: target.join("::"),
                    why,
                });
            }
        }
        if this_rank < 3 {
            for name in web {
                violations.push(Violation {
                    file: source.file.clone(),
                    names: name,
                    why: "names the web framework outside http and app",
                });
            }
        }
    }
    (violations, circles(&graph))
}

/// The strongly connected groups of three or more files (Tarjan).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            self.index.insert(v, self.next);
            self.low.insert(v, self.next);
            self.next += 1;
            self.stack.push(v);
            self.on_stack.insert(v);
            if let Some(edges) = self.graph.get(v) {
                for w in edges {
                    let w = w.as_str();
                    if !self.index.contains_key(w) {
                        self.visit(w);
                        let low = self.low[v].min(self.low[w]);
                        self.low.insert(v, low);
                    } else if self.on_stack.contains(w) {
                        let low = self.low[v].min(self.index[w]);
                        self.low.insert(v, low);
                    }
                }
            }
            if self.low[v] == self.index[v] {
                let mut group = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    group.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if group.len() >= 3 {
                    group.sort();
                    self.out.push(group);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

#[test]
fn imports_run_down_the_layers_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let sources = read_sources(&src);
    let (violations, circles) = check(&sources, "assent_gateway");
    assert!(
        violations.is_empty(),
        "imports against the layers' direction:\n{}",
        violations
            .iter()
            .map(|v| format!("  {} -> {}: {}", v.file, v.names, v.why))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        circles.is_empty(),
        "files that import each other in a circle: {circles:?}"
    );
}

#[cfg(test)]
mod checker {
    use super::*;

    fn source(file: &str, text: &str) -> Source {
        Source {
            file: file.to_owned(),
            module: module_of(Path::new(file)),
            text: text.to_owned(),
        }
    }

    fn tree(extra: &[(&str, &str)]) -> Vec<Source> {
        let mut files = vec![
            source(
                "lib.rs",
                "pub mod base; pub mod rules; pub mod store; pub mod flows; pub mod http; pub mod app;",
            ),
            source("base/mod.rs", "pub mod clock;"),
            source("base/clock.rs", "pub fn now_ms() -> i64 { 0 }"),
            source("rules/mod.rs", "pub mod ciba;"),
            source("rules/ciba.rs", "use crate::base::clock::now_ms;"),
            source("store/mod.rs", "use crate::base::clock;"),
            source("flows/mod.rs", "pub mod ciba; pub mod consent;"),
            source(
                "flows/ciba.rs",
                "use crate::{rules::ciba, store, base::clock::now_ms};",
            ),
            source("flows/consent.rs", "use super::ciba;"),
            source("http/mod.rs", "use axum::Router; use crate::flows::ciba;"),
            source("app.rs", "use crate::http; use axum_server::Handle;"),
        ];
        for (file, text) in extra {
            files.retain(|s| s.file != *file);
            files.push(source(file, text));
        }
        files
    }

    fn found(extra: &[(&str, &str)]) -> Vec<(String, String)> {
        check(&tree(extra), "assent_gateway")
            .0
            .into_iter()
            .map(|v| (v.file, v.names))
            .collect()
    }

    #[test]
    fn a_tree_that_keeps_the_direction_passes() {
        let (violations, circles) = check(&tree(&[]), "assent_gateway");
        assert!(violations.is_empty(), "{violations:?}");
        assert!(circles.is_empty());
    }

    #[test]
    fn an_import_up_the_layers_is_found_in_every_form() {
        for text in [
            "use crate::http::AppState;",
            "use crate::{base::clock, http::AppState};",
            "use crate::{\n    base::clock,\n    http::{self, AppState},\n};",
            "fn f() { let _ = crate::http::AppState::new(); }",
        ] {
            assert_eq!(
                found(&[("flows/ciba.rs", text)]),
                vec![("flows/ciba.rs".to_owned(), "http".to_owned())],
                "{text}"
            );
        }
        // super:: that climbs out of the layer.
        assert_eq!(
            found(&[("rules/ciba.rs", "use super::super::flows::ciba;")]),
            vec![("rules/ciba.rs".to_owned(), "flows::ciba".to_owned())]
        );
    }

    #[test]
    fn rules_and_store_do_not_name_each_other() {
        assert_eq!(
            found(&[("rules/ciba.rs", "use crate::store::Store;")]),
            vec![("rules/ciba.rs".to_owned(), "store".to_owned())]
        );
    }

    #[test]
    fn the_web_framework_stays_in_http_and_app() {
        assert_eq!(
            found(&[(
                "flows/ciba.rs",
                "fn f() -> axum::response::Response { todo() }"
            )]),
            vec![("flows/ciba.rs".to_owned(), "axum".to_owned())]
        );
        assert_eq!(
            found(&[(
                "flows/ciba.rs",
                "#[utoipa::path(post, path = \"/x\")] fn f() {}"
            )]),
            vec![("flows/ciba.rs".to_owned(), "utoipa".to_owned())]
        );
    }

    #[test]
    fn comments_and_strings_name_nothing() {
        let text = "//! See [`crate::http`].\n/* crate::http */\nconst A: &str = \"crate::http axum::x\";\nconst B: char = '\"';\nuse crate::base::clock;";
        assert!(found(&[("flows/ciba.rs", text)]).is_empty());
    }

    #[test]
    fn three_files_in_a_circle_are_found() {
        let extra = [
            ("flows/mod.rs", "pub mod a; pub mod b; pub mod c;"),
            ("flows/a.rs", "use super::b;"),
            ("flows/b.rs", "use crate::flows::c::X;"),
            ("flows/c.rs", "use crate::flows::a;"),
        ];
        let (_, circles) = check(&tree(&extra), "assent_gateway");
        assert_eq!(
            circles,
            vec![vec![
                "flows/a.rs".to_owned(),
                "flows/b.rs".to_owned(),
                "flows/c.rs".to_owned()
            ]]
        );
        // Two files naming each other are allowed (a type and its helper).
        let two = [
            ("flows/mod.rs", "pub mod a; pub mod b;"),
            ("flows/a.rs", "use super::b;"),
            ("flows/b.rs", "use crate::flows::a::X;"),
        ];
        assert!(check(&tree(&two), "assent_gateway").1.is_empty());
    }
}
