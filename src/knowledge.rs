//! The local knowledge base: documents the team imports (`.md`, `.txt`, `.json`, including the
//! original's `{"documents": [{"title", "content", …}]}`) and every closed incident, searched
//! offline with tantivy in the data dir's `knowledge/`. Blocking: call it off the engine's
//! thread.

pub mod tokenizer;

use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// A knowledge-base failure, in words.
#[derive(Debug, thiserror::Error)]
pub enum KbError {
    /// The index could not be opened, read or written.
    #[error("the knowledge base at {path}: {message}")]
    Index {
        /// The index's directory.
        path: PathBuf,
        /// tantivy's words.
        message: String,
    },
}

/// One document to index.
#[derive(Clone, Debug, PartialEq)]
pub struct KbDoc {
    /// Unique key: `doc:<file>#<n>` or `incident:<id>`; a new document with the same key
    /// replaces the old one.
    pub key: String,
    /// `document` or `incident`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// Where it came from (a file path, or the incident).
    pub source: String,
}

/// One search hit.
#[derive(Clone, Debug, PartialEq)]
pub struct KbHit {
    /// The document's key.
    pub key: String,
    /// `document` or `incident`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// The start of its text.
    pub snippet: String,
    /// Where it came from.
    pub source: String,
    /// tantivy's BM25 score.
    pub score: f32,
}

/// What an import did: documents per file, and each file that could not be read, in words.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportReport {
    /// `(file, documents imported)`.
    pub imported: Vec<(PathBuf, usize)>,
    /// One line per file that was skipped, naming it.
    pub errors: Vec<String>,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    title: Field,
    body: Field,
    source: Field,
}

/// The index and its reader. A writer is made for each change and dropped after its commit:
/// its memory arena (15 MB) is not kept by a console that mostly reads.
pub struct KnowledgeBase {
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    /// One change at a time.
    writing: Mutex<()>,
    fields: Fields,
}

/// Characters of a hit's snippet.
const SNIPPET_CHARS: usize = 240;

impl KnowledgeBase {
    /// Opens (or creates) the index in `dir`.
    pub fn open(dir: &Path) -> Result<Self, KbError> {
        let err = |e: &dyn std::fmt::Display| KbError::Index {
            path: dir.to_path_buf(),
            message: e.to_string(),
        };
        crate::store::create_private_dir(dir).map_err(|e| err(&e))?;
        let text = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer::NAME)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored();
        let mut sb = Schema::builder();
        let fields = Fields {
            key: sb.add_text_field("key", STRING | STORED),
            kind: sb.add_text_field("kind", STRING | STORED),
            title: sb.add_text_field("title", text.clone()),
            body: sb.add_text_field("body", text),
            source: sb.add_text_field("source", STORED),
        };
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(|e| err(&e))?;
        let index = Index::open_or_create(directory, sb.build()).map_err(|e| err(&e))?;
        index
            .tokenizers()
            .register(tokenizer::NAME, tokenizer::KoEnTokenizer);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| err(&e))?;
        Ok(Self {
            path: dir.to_path_buf(),
            index,
            reader,
            writing: Mutex::new(()),
            fields,
        })
    }

    fn err(&self, e: &dyn std::fmt::Display) -> KbError {
        KbError::Index {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// Adds (or replaces, by key) `docs` and commits.
    pub fn add(&self, docs: &[KbDoc]) -> Result<usize, KbError> {
        let f = self.fields;
        let _one = self.writing.lock();
        // One thread and tantivy's smallest arena: changes are small and rare.
        let mut writer: IndexWriter = self
            .index
            .writer_with_num_threads(1, 15_000_000)
            .map_err(|e| self.err(&e))?;
        for d in docs {
            writer.delete_term(Term::from_field_text(f.key, &d.key));
            let mut doc = TantivyDocument::default();
            doc.add_text(f.key, &d.key);
            doc.add_text(f.kind, &d.kind);
            doc.add_text(f.title, &d.title);
            doc.add_text(f.body, &d.body);
            doc.add_text(f.source, &d.source);
            writer.add_document(doc).map_err(|e| self.err(&e))?;
        }
        writer.commit().map_err(|e| self.err(&e))?;
        writer.wait_merging_threads().map_err(|e| self.err(&e))?;
        self.reader.reload().map_err(|e| self.err(&e))?;
        Ok(docs.len())
    }

    /// Imports every path (files, or directories of them); a file that cannot be read or
    /// parsed is named in `errors` and the others still import.
    pub fn import(&self, paths: &[PathBuf]) -> ImportReport {
        let mut report = ImportReport::default();
        let mut files = Vec::new();
        for p in paths {
            match std::fs::read_dir(p) {
                Ok(entries) => {
                    let mut inner: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                    inner.sort();
                    files.extend(inner.into_iter().filter(|f| f.is_file()));
                }
                Err(_) => files.push(p.clone()),
            }
        }
        let mut all = Vec::new();
        for file in files {
            match read_docs(&file) {
                Ok(docs) => {
                    report.imported.push((file, docs.len()));
                    all.extend(docs);
                }
                Err(e) => report.errors.push(e),
            }
        }
        // One commit for the lot.
        if let Err(e) = self.add(&all) {
            report.errors.push(e.to_string());
            report.imported.clear();
        }
        report
    }

    /// The best `limit` hits for `query` (words; Korean words match by their bigrams).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<KbHit>, KbError> {
        let f = self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.body]);
        parser.set_field_boost(f.title, 2.0);
        // Lenient: a stray quote or colon in what the responder typed is not an error.
        let (query, _) = parser.parse_query_lenient(query);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())
            .map_err(|e| self.err(&e))?;
        top.into_iter()
            .map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.err(&e))?;
                let text = |field| {
                    doc.get_first(field)
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                };
                let body = text(f.body);
                Ok(KbHit {
                    key: text(f.key),
                    kind: text(f.kind),
                    title: text(f.title),
                    snippet: body.chars().take(SNIPPET_CHARS).collect(),
                    source: text(f.source),
                    score,
                })
            })
            .collect()
    }

    /// How many documents it holds.
    pub fn count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// The documents of one file: `.md` and `.txt` are one document (titled by a first `#` heading,
/// else the file's name); `.json` is the original's `{"documents": [...]}`, a list of
/// `{"title", "content"}`, or one such object.
pub fn read_docs(file: &Path) -> Result<Vec<KbDoc>, String> {
    let shown = file.display().to_string();
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !matches!(ext.as_str(), "md" | "txt" | "json") {
        return Err(format!(
            "{shown}: only .md, .txt and .json files are imported"
        ));
    }
    let text = crate::store::read_user_file(file).map_err(|e| format!("{shown}: {e}"))?;
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("document")
        .to_string();
    if ext != "json" {
        let title = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .and_then(|l| l.strip_prefix('#'))
            .map(|t| t.trim_start_matches('#').trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or(stem);
        return Ok(vec![KbDoc {
            key: format!("doc:{shown}"),
            kind: "document".into(),
            title,
            body: text,
            source: shown,
        }]);
    }
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{shown}: not JSON (line {}, column {}: {e})",
            e.line(),
            e.column()
        )
    })?;
    let items: Vec<&serde_json::Value> = match &value {
        serde_json::Value::Object(o) if o.contains_key("documents") => o["documents"]
            .as_array()
            .map(|a| a.iter().collect())
            .ok_or_else(|| format!("{shown}: \"documents\" is not a list"))?,
        serde_json::Value::Array(a) => a.iter().collect(),
        serde_json::Value::Object(_) => vec![&value],
        _ => {
            return Err(format!(
                "{shown}: expected {{\"documents\": [...]}} or a list of documents"
            ));
        }
    };
    let mut docs = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| item.get(*n).and_then(|v| v.as_str()))
                .map(str::to_string)
        };
        let Some(body) = field(&["content", "text", "body"]) else {
            return Err(format!("{shown}: document {} has no \"content\"", i + 1));
        };
        docs.push(KbDoc {
            key: format!("doc:{shown}#{i}"),
            kind: "document".into(),
            title: field(&["title", "name"]).unwrap_or_else(|| format!("{stem} {}", i + 1)),
            body,
            source: shown.clone(),
        });
    }
    Ok(docs)
}

/// A closed incident as the knowledge base keeps it: its report, the responder's marks, the
/// plan and how it ended.
pub fn incident_doc(inc: &crate::model::Incident) -> KbDoc {
    use crate::model::{HypothesisMark, Lang};
    let mut body = format!(
        "{}\n{}\n",
        inc.scenario.description.text(Lang::Ko),
        inc.report.to_text()
    );
    for (h, mark) in inc.scenario.hypotheses.iter().zip(&inc.marks) {
        let mark = match mark {
            HypothesisMark::Open => "미정",
            HypothesisMark::Confirmed => "확인됨",
            HypothesisMark::Rejected => "기각됨",
        };
        body.push_str(&format!("가설 ({mark}): {}\n", h.statement.text(Lang::Ko)));
    }
    let plan = format!(
        "조치 플랜: {}",
        crate::text::plan::state(inc.plan.state, Lang::Ko)
    );
    body.push_str(&format!("{plan}\n"));
    for a in &inc.scenario.actions {
        body.push_str(&format!(
            "조치: {} ({})\n",
            a.title.text(Lang::Ko),
            a.command
        ));
    }
    if let Some(ttr) = inc.time_to_recover() {
        body.push_str(&format!("복구까지 {}초\n", ttr.num_seconds()));
    }
    KbDoc {
        key: format!("incident:{}", inc.id),
        kind: "incident".into(),
        title: format!("#{} {}", inc.id, inc.scenario.title.text(Lang::Ko)),
        body,
        source: format!("incident #{}", inc.id),
    }
}

#[cfg(test)]
mod tests;
