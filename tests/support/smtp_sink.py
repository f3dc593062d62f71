"""aiosmtpd handler for the email tests.

Each accepted message is decoded with Python's own `email` package (RFC 2047 subject,
transfer encoding, charset) and appended to a JSON-lines file, so the Rust tests check what a
real mail client would show. Recipients listed in the second argument are refused with 550.

    python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.JsonSink OUT.jsonl [a@x.com,b@y.org]
"""

import email
import email.policy
import json


class JsonSink:
    def __init__(self, path, reject=""):
        self.path = path
        self.reject = {a.strip().lower() for a in reject.split(",") if a.strip()}

    @classmethod
    def from_cli(cls, parser, *args):
        if not args:
            parser.error("JsonSink needs the output file")
        return cls(*args)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "subject": str(msg["subject"]),
            "raw_subject_ascii": all(b < 128 for b in raw.split(b"\r\n\r\n", 1)[0]),
            "charset": body.get_content_charset() if body else None,
            "body": body.get_content() if body else None,
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        return "250 Message accepted for delivery"
