/**
 * Grammars sent to web-llm instead of `response_format.schema`, for the schemas Skein's recipes use.
 *
 * web-llm 0.2.86 compiles a schema with XGrammar's defaults: any amount of whitespace between JSON
 * tokens. Small models then loop on whitespace until max_tokens, and every retry pays the same.
 * XGrammar can cap that whitespace, but web-llm passes no cap; a `{type: "grammar"}` response
 * format takes the EBNF XGrammar itself generates from the schema *with* a cap. The EBNF is
 * generated ahead of time (web-llm does not export XGrammar to the page) and
 * tests/unit/webllm/grammar.test.ts regenerates it with web-llm's own bundled XGrammar, so a
 * schema change that is not carried over here fails the tests.
 */
import { CHUNK_ENTRIES_SCHEMA } from '$lib/core/recipes/chunked';

/** Whitespace characters allowed between two JSON tokens (a pretty-printer needs far fewer). */
export const MAX_JSON_WHITESPACE = 16;

/**
 * XGrammar's EBNF for CHUNK_ENTRIES_SCHEMA: `Testings._jsonSchemaToEBNF(schema, true, 2,
 * undefined, true, MAX_JSON_WHITESPACE)`. Strings keep the escape branch (\" and \n).
 */
export const CHUNK_ENTRIES_GRAMMAR = String.raw`basic_escape ::= ["\\/bfnrt] | "u" [A-Fa-f0-9] [A-Fa-f0-9] [A-Fa-f0-9] [A-Fa-f0-9]
basic_string_sub ::= ("\"" | [^\0-\x1f\"\\\r\n] basic_string_sub | "\\" basic_escape basic_string_sub) (= [ \n\t]{0,16} [,}\]:])
basic_any ::= basic_number | basic_string | basic_boolean | basic_null | basic_array | basic_object
basic_integer ::= ("0" | "-"? [1-9] [0-9]*)
basic_number ::= "-"? ("0" | [1-9] [0-9]*) ("." [0-9]+)? ([eE] [+-]? [0-9]+)?
basic_string ::= ["] basic_string_sub
basic_boolean ::= "true" | "false"
basic_null ::= "null"
basic_array ::= (("[" [ \n\t]* basic_any ([ \n\t]* "," [ \n\t]* basic_any)* [ \n\t]* "]") | ("[" [ \n\t]* "]"))
basic_object ::= ("{" [ \n\t]* basic_string [ \n\t]{0,16} ":" [ \n\t]{0,16} basic_any ([ \n\t]* "," [ \n\t]* basic_string [ \n\t]{0,16} ":" [ \n\t]{0,16} basic_any)* [ \n\t]* "}") | "{" [ \n\t]{0,16} "}"
root_prop_0_additional_part_0 ::= [ \n\t]{0,16} "," [ \n\t]{0,16} "\"response\"" [ \n\t]{0,16} ":" [ \n\t]{0,16} basic_string ""
root_prop_0_additional ::= "{" [ \n\t]{0,16} (("\"prompt\"" [ \n\t]{0,16} ":" [ \n\t]{0,16} basic_string root_prop_0_additional_part_0)) [ \n\t]{0,16} "}"
root_prop_0 ::= ("[" [ \n\t]{0,16} root_prop_0_additional ([ \n\t]{0,16} "," [ \n\t]{0,16} root_prop_0_additional)* [ \n\t]{0,16} "]")
root ::= "{" [ \n\t]{0,16} (("\"entries\"" [ \n\t]{0,16} ":" [ \n\t]{0,16} root_prop_0 "")) [ \n\t]{0,16} "}"
`;

interface SchemaGrammar {
	schema: unknown;
	grammar: string;
}

export const SCHEMA_GRAMMARS: readonly SchemaGrammar[] = [{ schema: CHUNK_ENTRIES_SCHEMA, grammar: CHUNK_ENTRIES_GRAMMAR }];

/** The whitespace-capped grammar for `schema`, or undefined for a schema without one (sent as is). */
export function grammarForSchema(schema: unknown): string | undefined {
	const key = JSON.stringify(schema);
	return SCHEMA_GRAMMARS.find((entry) => JSON.stringify(entry.schema) === key)?.grammar;
}
