//! Our own tokenizer for the knowledge base: Latin (and other alphanumeric) words lowercased,
//! and Hangul as character bigrams, each token one position further, so a phrase query over
//! bigrams finds the Korean words it was cut from. tantivy's n-gram tokenizer puts every gram
//! at position 0 (no phrases), and lindera's Korean dictionary downloads at build time.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name it is registered under.
pub const NAME: &str = "ko_en";

/// Latin words plus Hangul bigrams.
#[derive(Clone, Debug, Default)]
pub struct KoEnTokenizer;

/// The tokens of one text, cut up front (texts are documents of a few KiB).
pub struct KoEnStream {
    tokens: Vec<Token>,
    next: usize,
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// The tokens of `text`: `(byte start, byte end, text)`.
pub fn tokens(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if is_hangul(c) {
            let start = i;
            while i < chars.len() && is_hangul(chars[i].1) {
                i += 1;
            }
            if i - start == 1 {
                out.push((chars[start].0, end_of(i), c.to_string()));
            } else {
                for j in start..i - 1 {
                    let gram: String = [chars[j].1, chars[j + 1].1].iter().collect();
                    out.push((chars[j].0, end_of(j + 2), gram));
                }
            }
        } else if c.is_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].1.is_alphanumeric() && !is_hangul(chars[i].1) {
                i += 1;
            }
            let word: String = text[chars[start].0..end_of(i)].to_lowercase();
            out.push((chars[start].0, end_of(i), word));
        } else {
            i += 1;
        }
    }
    out
}

impl Tokenizer for KoEnTokenizer {
    type TokenStream<'a> = KoEnStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KoEnStream {
        let tokens = tokens(text)
            .into_iter()
            .enumerate()
            .map(|(position, (from, to, text))| Token {
                offset_from: from,
                offset_to: to,
                position,
                text,
                position_length: 1,
            })
            .collect();
        KoEnStream { tokens, next: 0 }
    }
}

impl TokenStream for KoEnStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_words_and_hangul_bigrams() {
        let t: Vec<String> = tokens("Checkout 롤백 절차: kubectl rollout-undo 결")
            .into_iter()
            .map(|t| t.2)
            .collect();
        assert_eq!(
            t,
            [
                "checkout", "롤백", "절차", "kubectl", "rollout", "undo", "결"
            ]
        );
        let t: Vec<String> = tokens("결제실패율").into_iter().map(|t| t.2).collect();
        assert_eq!(t, ["결제", "제실", "실패", "패율"]);
    }
}
