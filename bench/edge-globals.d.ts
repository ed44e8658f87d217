/**
 * Benches import edge modules for their SQL (bench/discovery/search.ts renders
 * edge/src/features/search/search-sql.ts); those name workerd's global `D1Database` type
 * (edge/src/db/client.ts). Node programs get it from the module flavour of the workers types,
 * which declares no globals (the global flavour would clash with Node's and the DOM's).
 */
type D1Database = import("@cloudflare/workers-types/index.ts").D1Database;
