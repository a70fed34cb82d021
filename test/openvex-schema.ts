/** A validator for OpenVEX documents against the official 0.2.0 JSON schema in ../shared/data/schemas/. */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let validate: ValidateFunction | undefined;

/** The official OpenVEX 0.2.0 schema (JSON Schema 2020-12), formats checked. */
export function openVex020(): ValidateFunction {
  if (!validate) {
    const schema = JSON.parse(readFileSync(new URL('../../shared/data/schemas/openvex_json_schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
    addFormats(ajv);
    // ajv-formats has no "iri": an absolute IRI (RFC 3987) is a scheme, a colon, then no spaces,
    // controls or the characters RFC 3987 excludes.
    // eslint-disable-next-line no-control-regex
    ajv.addFormat('iri', /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\u0000-\u001f<>"{}|\\^`]+$/u);
    validate = ajv.compile(schema);
  }
  return validate;
}
