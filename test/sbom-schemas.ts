/**
 * Validators for the SBOM formats against their official JSON schemas in ../shared/data/schemas/:
 * CycloneDX 1.6 (with the SPDX license-ID and JSF schemas it references by relative $ref) and
 * SPDX 2.3. Formats are checked too.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const schema = (name: string) => JSON.parse(readFileSync(new URL(`../../shared/data/schemas/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

function ajv(): Ajv {
  const a = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  addFormats(a);
  // ajv-formats has neither: an IRI reference (RFC 3987) has no spaces, controls or <>"{}|\^`;
  // an internationalised address has one @ with something on both sides.
  a.addFormat('iri-reference', /^[^\s\p{Cc}<>"{}|\\^`]*$/u);
  a.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  return a;
}

let cdx: ValidateFunction | undefined;
let spdx: ValidateFunction | undefined;

export function cyclonedx16(): ValidateFunction {
  if (!cdx) {
    const a = ajv();
    // bom-1.6 refers to these as "spdx.schema.json" and "jsf-0.82.schema.json", relative to its
    // own $id; registering them under their $ids resolves those references offline.
    a.addSchema(schema('spdx.schema.json'));
    a.addSchema(schema('jsf-0.82.schema.json'));
    cdx = a.compile(schema('bom-1.6.schema.json'));
  }
  return cdx;
}

export function spdx23(): ValidateFunction {
  spdx ??= ajv().compile(schema('spdx-schema.json'));
  return spdx;
}

export function assertValid(validate: ValidateFunction, doc: unknown, what: string): void {
  const ok = validate(doc);
  assert.ok(ok, `${what} is not valid: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
}
