//! The query language: any input parses or is refused with a span inside the input on char
//! boundaries, and a query that parses compiles to SQL that carries the user's words only as
//! bound parameters.

use throughline::backlog::query::{parse, QueryContext};

use super::seeds::{mutate, Edit, QUERIES};

fn check(input: &str) {
    let parsed = match parse(input) {
        Ok(q) => q,
        Err(e) => {
            assert!(
                e.start <= e.end && e.end <= input.len(),
                "{e:?} for {input:?}"
            );
            assert!(input.is_char_boundary(e.start) && input.is_char_boundary(e.end));
            return;
        }
    };
    let ctx = QueryContext {
        product_key: "ONB",
        quarter: "2026-Q4",
        user_id: 7,
    };
    let Ok(compiled) = parsed.compile(&ctx, 4) else {
        return;
    };
    // Placeholders are $4 … $(3 + params), each bound.
    let mut rest = compiled.sql.as_str();
    while let Some(i) = rest.find('$') {
        rest = &rest[i + 1..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let n: usize = digits
            .parse()
            .unwrap_or_else(|_| panic!("bare $ in {}", compiled.sql));
        assert!(
            (4..4 + compiled.params.len()).contains(&n),
            "${n} with {} params: {}",
            compiled.params.len(),
            compiled.sql
        );
    }
    // A long word of the input never reaches the SQL text itself.
    for word in input.split(|c: char| !c.is_alphabetic()) {
        if word.chars().count() >= 16 {
            assert!(!compiled.sql.contains(word), "{word:?} in {}", compiled.sql);
        }
    }
}

#[test]
fn any_text_parses_or_is_refused_with_a_span_and_compiles_to_bound_sql() {
    bolero::check!()
        .with_type::<String>()
        .for_each(|s| check(s));
}

#[test]
fn queries_people_write_survive_small_changes() {
    bolero::check!()
        .with_type::<(u8, Vec<Edit>)>()
        .for_each(|(which, edits)| {
            let seed = QUERIES[*which as usize % QUERIES.len()];
            let bytes = mutate(seed.as_bytes(), edits);
            check(&String::from_utf8_lossy(&bytes));
        });
}
