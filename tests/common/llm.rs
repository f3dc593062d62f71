//! An in-process fake of the chat-completions API on 127.0.0.1:0 (no chat server with a model
//! inside can run here): scripted replies in order, then a default one; every request recorded
//! whole (head and JSON body).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use super::serve;

/// A scripted answer.
#[derive(Clone, Debug)]
pub struct ChatReply {
    /// HTTP status.
    pub status: u16,
    /// Extra header lines (`Retry-After: 1`).
    pub headers: Vec<String>,
    /// The body.
    pub body: String,
    /// How long to wait before answering.
    pub delay: Duration,
}

impl ChatReply {
    /// A 200 whose message content is `content`.
    pub fn content(content: &str) -> Self {
        let body = serde_json::json!({
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
        });
        Self::status(200, None, &body.to_string())
    }

    /// `status` with an optional header line and a body.
    pub fn status(status: u16, header: Option<&str>, body: &str) -> Self {
        Self {
            status,
            headers: header.into_iter().map(str::to_string).collect(),
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct ChatRequest {
    /// The request head (request line and headers).
    pub head: String,
    /// The JSON body.
    pub body: Value,
}

/// The fake server.
pub struct FakeChat {
    /// `http://127.0.0.1:PORT/v1`.
    pub url: String,
    script: Arc<Mutex<VecDeque<ChatReply>>>,
    /// Every request, in order.
    pub requests: Arc<Mutex<Vec<ChatRequest>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for FakeChat {
    fn drop(&mut self) {
        // Dropped inside async tests too, where a blocking shutdown would panic.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl FakeChat {
    /// Starts with `script`; once it is used up, every answer is the last reply of it.
    pub fn start(script: Vec<ChatReply>) -> Self {
        let last = script.last().cloned().expect("a script");
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (script.clone(), requests.clone());
        let (runtime, addr) = serve(move |stream| {
            let (s, r, last) = (s.clone(), r.clone(), last.clone());
            async move {
                let _ = answer(stream, s, r, last).await;
            }
        });
        Self {
            url: format!("http://{addr}/v1"),
            script,
            requests,
            runtime: Some(runtime),
        }
    }

    /// Requests received so far.
    pub fn count(&self) -> usize {
        self.requests.lock().len()
    }

    /// Replaces what is left of the script.
    pub fn script(&self, replies: Vec<ChatReply>) {
        *self.script.lock() = VecDeque::from(replies);
    }
}

async fn answer(
    mut stream: tokio::net::TcpStream,
    script: Arc<Mutex<VecDeque<ChatReply>>>,
    requests: Arc<Mutex<Vec<ChatRequest>>>,
    last: ChatReply,
) -> std::io::Result<()> {
    loop {
        let Some((head, body)) = super::read_request(&mut stream).await? else {
            return Ok(());
        };
        let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
        requests.lock().push(ChatRequest { head, body });
        let reply = script.lock().pop_front().unwrap_or_else(|| last.clone());
        tokio::time::sleep(reply.delay).await;
        let extra: String = reply.headers.iter().map(|h| format!("{h}\r\n")).collect();
        let out = format!(
            "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{}",
            reply.status,
            reply.body.len(),
            reply.body
        );
        stream.write_all(out.as_bytes()).await?;
    }
}
