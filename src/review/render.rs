//! The review's blocks as one self-contained HTML file (inline CSS and SVG, no script,
//! nothing fetched, readable printed) or as Markdown with each graph an SVG file beside it.
//! Text is escaped for where it goes: HTML entities, or Markdown's own escapes.

use std::path::{Path, PathBuf};

use super::{Block, Review};
use crate::model::escape_markdown;

/// Which file a review is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewFormat {
    /// One self-contained HTML file.
    Html,
    /// Markdown, with the graphs as SVG files beside it.
    Markdown,
}

/// `s` with `&`, `<`, `>`, `"` and `'` as entities: safe in HTML text and attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:'Noto Sans KR','Nanum Gothic','Malgun Gothic',sans-serif;\
max-width:960px;margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45;\
word-break:keep-all;overflow-wrap:anywhere}\
h1{font-size:1.6em;border-bottom:2px solid #444;padding-bottom:.2em}\
h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #bbb}\
table{border-collapse:collapse;width:100%;font-size:.92em}\
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
th{background:#f0f0f0}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}\
dt{font-weight:bold}dd{margin:0}figure{margin:1em 0}figure svg{width:100%;height:auto}\
figcaption{font-size:.9em;color:#555}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}figure,tr{break-inside:avoid}}";

/// The review as one HTML document.
pub fn html(review: &Review) -> String {
    let lang = match review.lang {
        crate::model::Lang::En => "en",
        crate::model::Lang::Ko => "ko",
    };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&review.title),
        esc(&review.title)
    );
    for block in &review.blocks {
        match block {
            Block::Heading(h) => out.push_str(&format!("<h2>{}</h2>\n", esc(h))),
            Block::Para(p) => out.push_str(&format!("<p>{}</p>\n", esc(p))),
            Block::Pairs(pairs) => {
                out.push_str("<dl>\n");
                for (k, v) in pairs {
                    out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", esc(k), esc(v)));
                }
                out.push_str("</dl>\n");
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    out.push_str(&format!("<li>{}</li>\n", esc(i)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table { head, rows } => {
                out.push_str("<table>\n<tr>");
                for h in head {
                    out.push_str(&format!("<th>{}</th>", esc(h)));
                }
                out.push_str("</tr>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        out.push_str(&format!("<td>{}</td>", esc(cell)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</table>\n");
            }
            // plotters escaped the text it drew; the SVG is ours, inline.
            Block::Graph { title, svg } => out.push_str(&format!(
                "<figure role=\"img\" aria-label=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                esc(title),
                svg.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").trim(),
                esc(title)
            )),
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// A table cell: one line, escaped.
fn cell(s: &str) -> String {
    escape_markdown(&s.replace(['\r', '\n'], " "))
}

/// The review as Markdown, and each graph as `(file name, SVG)`; the names are
/// `<stem>-graph-<n>.svg`, linked from the text.
pub fn markdown(review: &Review, stem: &str) -> (String, Vec<(String, String)>) {
    let mut out = format!("# {}\n\n", cell(&review.title));
    let mut files = Vec::new();
    for block in &review.blocks {
        match block {
            Block::Heading(h) => out.push_str(&format!("## {}\n\n", cell(h))),
            Block::Para(p) => out.push_str(&format!("{}\n\n", escape_markdown(p))),
            Block::Pairs(pairs) => {
                for (k, v) in pairs {
                    out.push_str(&format!("- **{}**: {}\n", cell(k), cell(v)));
                }
                out.push('\n');
            }
            Block::List(items) => {
                for i in items {
                    out.push_str(&format!("- {}\n", cell(i)));
                }
                out.push('\n');
            }
            Block::Table { head, rows } => {
                let head: Vec<String> = head.iter().map(|h| cell(h)).collect();
                out.push_str(&format!("| {} |\n", head.join(" | ")));
                out.push_str(&format!("|{}\n", " --- |".repeat(head.len())));
                for row in rows {
                    let row: Vec<String> = row.iter().map(|c| cell(c)).collect();
                    out.push_str(&format!("| {} |\n", row.join(" | ")));
                }
                out.push('\n');
            }
            Block::Graph { title, svg } => {
                let name = format!("{stem}-graph-{}.svg", files.len() + 1);
                out.push_str(&format!("![{}]({name})\n\n", cell(title)));
                files.push((name, svg.clone()));
            }
        }
    }
    (out, files)
}

/// Writes the review to `out` (atomically; Markdown's graphs beside it) and returns every
/// file written.
pub fn write(review: &Review, format: ReviewFormat, out: &Path) -> std::io::Result<Vec<PathBuf>> {
    match format {
        ReviewFormat::Html => {
            crate::store::write_atomic(out, html(review).as_bytes())?;
            Ok(vec![out.to_path_buf()])
        }
        ReviewFormat::Markdown => {
            let stem = out
                .file_stem()
                .map_or_else(|| "review".into(), |s| s.to_string_lossy().into_owned());
            let (text, graphs) = markdown(review, &stem);
            let dir = out.parent().unwrap_or(Path::new("."));
            let mut written = Vec::new();
            for (name, svg) in graphs {
                let path = dir.join(name);
                crate::store::write_atomic(&path, svg.as_bytes())?;
                written.push(path);
            }
            crate::store::write_atomic(out, crate::text::platform_line_ends(text).as_bytes())?;
            written.insert(0, out.to_path_buf());
            Ok(written)
        }
    }
}
