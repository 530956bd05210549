import { Malformed, text } from './protobufWire.ts';

/**
 * The apimachinery types whose Go MarshalJSON gives them a JSON form unlike their wire message
 * (the `customJson` list of src/schema/protobufGenerated.ts), both ways: `fromWire` turns the
 * decoded wire message (fields by proto name) into the JSON value, `toWire` the JSON value into
 * the wire message Go's Marshal writes (undefined: an empty message).
 */

type Wire = Record<string, unknown>;
interface Custom { fromWire(w: Wire): unknown; toWire(json: unknown): Wire }

/** managedFields' and raw objects' JSON must not nest deep enough to overflow a later recursive walk. */
const maxJsonDepth = 100;

/** JSON carried as bytes (FieldsV1, RawExtension, apiextensions JSON), parsed with its depth bounded first. */
export function rawJson(bytes: Uint8Array): unknown {
  const json = text(bytes);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > maxJsonDepth) throw new Malformed(`raw JSON nested deeper than ${maxJsonDepth}`);
    } else if (c === '}' || c === ']') depth--;
  }
  try {
    return JSON.parse(json);
  } catch {
    throw new Malformed('raw JSON is not valid');
  }
}

const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** metav1.Time's JSON: RFC3339 in UTC; MicroTime always writes 6 fraction digits. */
function rfc3339(seconds: number, micros?: number): string {
  // Go's time.Time covers years 0001 through 9999 only
  if (!(seconds >= -62135596800 && seconds <= 253402300799)) throw new Malformed(`timestamp ${seconds}s is outside years 0001-9999`);
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micros === undefined ? `${iso}Z` : `${iso}.${String(micros).padStart(6, '0')}Z`;
}

/** An RFC3339 time as Go's Timestamp {seconds, nanos}; what does not parse is the zero time (an empty message). */
function timestamp(json: unknown): Wire {
  if (typeof json !== 'string') return {};
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(json);
  if (!m) return {};
  const seconds = Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000);
  if (!Number.isFinite(seconds)) return {};
  return { seconds, nanos: m[2] ? Number(m[2].padEnd(9, '0')) : 0 };
}

const units: Array<[string, number]> = [['h', 3600e9], ['m', 60e9], ['s', 1e9], ['ms', 1e6], ['us', 1e3], ['µs', 1e3], ['ns', 1]];

/** Go's time.Duration.String(): `1h0m0s`, `1m30s`, `1.5s`, `300ms`, `0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(ns);
  if (n < 1e9) {
    const [unit, size] = n < 1e3 ? ['ns', 1] : n < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(n / size)}${unit}`;
  }
  let out = '';
  const h = Math.floor(n / 3600e9);
  n -= h * 3600e9;
  const m = Math.floor(n / 60e9);
  n -= m * 60e9;
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  return `${sign}${out}${trimFraction(n / 1e9)}s`;
}
const trimFraction = (v: number) => String(Number(v.toFixed(9)));

function parseGoDuration(json: unknown): number {
  if (typeof json !== 'string') return 0;
  let total = 0;
  const sign = json.startsWith('-') ? -1 : 1;
  for (const [, value, unit] of json.replace(/^[-+]/, '').matchAll(/([\d.]+)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(value) * (units.find(([u]) => u === unit)?.[1] ?? 0);
  }
  return sign * Math.round(total);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const customTypes: Readonly<Record<string, Custom>> = {
  // an empty Time message is Go's zero time, which JSON writes as null: leave it out
  'meta/v1.Time': {
    fromWire: (w) => (w.seconds === undefined ? undefined : rfc3339(w.seconds as number)),
    toWire: (json) => timestamp(json),
  },
  // MicroTime keeps microseconds: nanos are truncated as MicroTime.Unmarshal does
  'meta/v1.MicroTime': {
    fromWire: (w) => (w.seconds === undefined ? undefined : rfc3339(w.seconds as number, Math.floor(((w.nanos as number | undefined) ?? 0) / 1000))),
    toWire: (json) => timestamp(json),
  },
  'meta/v1.Duration': {
    fromWire: (w) => goDuration((w.duration as number | undefined) ?? 0),
    toWire: (json) => ({ duration: parseGoDuration(json) }),
  },
  'meta/v1.FieldsV1': {
    fromWire: (w) => (w.Raw === undefined ? undefined : rawJson(w.Raw as Uint8Array)),
    toWire: (json) => (json === undefined ? {} : { Raw: jsonBytes(json) }),
  },
  // the zero Quantity marshals as "0"; the string is validated like a JSON body's
  'resource.Quantity': {
    fromWire: (w) => (w.string as string | undefined) ?? '0',
    toWire: (json) => ({ string: json === undefined || json === null ? '0' : String(json) }),
  },
  'intstr.IntOrString': {
    fromWire: (w) => {
      const kind = (w.type as number | undefined) ?? 0;
      if (kind === 0) return (w.intVal as number | undefined) ?? 0;
      if (kind === 1) return (w.strVal as string | undefined) ?? '';
      throw new Malformed(`IntOrString type ${kind} is neither 0 (int) nor 1 (string)`);
    },
    toWire: (json) => (typeof json === 'string' ? { type: 1, intVal: 0, strVal: json } : { type: 0, intVal: typeof json === 'number' ? json : 0, strVal: '' }),
  },
  'runtime.RawExtension': {
    fromWire: (w) => (w.raw === undefined ? undefined : rawJson(w.raw as Uint8Array)),
    toWire: (json) => (json === undefined ? {} : { raw: jsonBytes(json) }),
  },
  'apiextensions/v1.JSON': {
    fromWire: (w) => (w.raw === undefined ? undefined : rawJson(w.raw as Uint8Array)),
    toWire: (json) => (json === undefined ? {} : { raw: jsonBytes(json) }),
  },
  // `items: {schema}` or `items: [schemas]`
  'apiextensions/v1.JSONSchemaPropsOrArray': {
    fromWire: (w) => w.schema ?? w.jSONSchemas ?? [],
    toWire: (json) => (Array.isArray(json) ? { jSONSchemas: json } : { schema: json }),
  },
  // `additionalProperties: false` or `additionalProperties: {schema}`
  'apiextensions/v1.JSONSchemaPropsOrBool': {
    fromWire: (w) => w.schema ?? (w.allows as boolean | undefined) ?? false,
    toWire: (json) => (isRecord(json) ? { allows: true, schema: json } : { allows: json === true }),
  },
  // `dependencies: {a: [b, c]}` or `{a: {schema}}`
  'apiextensions/v1.JSONSchemaPropsOrStringArray': {
    fromWire: (w) => w.schema ?? w.property ?? [],
    toWire: (json) => (Array.isArray(json) ? { property: json } : { schema: json }),
  },
};
