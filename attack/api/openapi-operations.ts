/**
 * The fuzzer's view of the API: every operation of an OpenAPI 3.1 document (method, path
 * template, parameters, JSON body schema, whether a bearer is required), with `$ref`s
 * resolved. Only what request generation needs; responses are judged by the shared rules.
 */

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
};

interface ParameterObject {
  $ref?: string;
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
}

interface OperationObject {
  operationId?: string;
  parameters?: ParameterObject[];
  requestBody?: { $ref?: string; content?: Record<string, { schema?: JsonSchema; example?: unknown }> };
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  security?: Record<string, string[]>[];
}

export interface Parameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `POST /api/uploads/{videoId}/urls`: stable, for reports and known-finding rules. */
  id: string;
  method: string;
  /** OpenAPI path template (`/api/videos/{id}`). */
  path: string;
  pathParams: Parameter[];
  query: Parameter[];
  headers: Parameter[];
  /** Content types the operation documents for its body, with their schema (and example). */
  body: { contentType: string; schema: JsonSchema }[];
  auth: "required" | "optional" | "none";
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

function resolver(doc: OpenApiDocument) {
  const seen = new Set<string>();
  return function resolve<T>(value: T): T {
    if (!value || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map(resolve) as T;
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === "string" && ref.startsWith("#/")) {
      if (seen.has(ref)) return {} as T; // recursive schema: stop, any value will do
      seen.add(ref);
      let target: unknown = doc;
      for (const part of ref.slice(2).split("/")) target = (target as Record<string, unknown>)?.[part];
      const out = resolve(target as T);
      seen.delete(ref);
      return out;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)])) as T;
  };
}

function authOf(security: Record<string, string[]>[] | undefined): Operation["auth"] {
  if (!security || security.length === 0) return "none";
  return security.some((s) => Object.keys(s).length === 0) ? "optional" : "required";
}

/** Every operation in the document, in document order. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const resolve = resolver(doc);
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const shared = resolve((item.parameters as ParameterObject[] | undefined) ?? []);
    for (const method of METHODS) {
      const op = resolve(item[method] as OperationObject | undefined);
      if (!op) continue;
      const params = [...shared, ...(op.parameters ?? [])];
      const pick = (where: ParameterObject["in"]) =>
        params
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required ?? where === "path", schema: p.schema ?? {} }));
      const pathParams = pick("path");
      // A template variable the document forgot to declare is still a path parameter.
      for (const m of path.matchAll(/\{([^}]+)\}/g)) {
        const name = m[1] as string;
        if (!pathParams.some((p) => p.name === name)) pathParams.push({ name, required: true, schema: {} });
      }
      out.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams,
        query: pick("query"),
        headers: pick("header"),
        body: Object.entries(op.requestBody?.content ?? {}).map(([contentType, media]) => ({
          contentType,
          // A documented example is a known-good body: the fuzzer mutates it like a generated one.
          schema:
            media.example !== undefined
              ? { ...media.schema, examples: [media.example] }
              : (media.schema ?? {}),
        })),
        auth: authOf(op.security ?? doc.security),
      });
    }
  }
  return out;
}

/** `/api/videos/{id}` → `/api/videos/:id` (how Hono and the fallback list write it). */
export const honoPath = (template: string) => template.replace(/\{([^}]+)\}/g, ":$1");
