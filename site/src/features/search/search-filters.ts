/**
 * The `/search` page's filters as chip groups (ADR 0021): type, duration, upload date and
 * sort, each a list of links to the same page with that one filter changed (and the cursor
 * dropped). Pure: the page renders the chips on the server from the URL, so they work
 * without the page script. Values follow `GET /api/search`.
 */

export interface Chip {
  label: string;
  href: string;
  active: boolean;
}

export interface ChipGroup {
  key: FilterKey;
  label: string;
  chips: Chip[];
}

export type FilterKey = "type" | "duration" | "uploaded" | "sort";

/** Each group's choices; the first (value "") is the default, meaning "no filter". */
const GROUPS: { key: FilterKey; label: string; options: [string, string][] }[] = [
  {
    key: "type",
    label: "Type",
    options: [
      ["", "All"],
      ["video", "Videos"],
      ["channel", "Channels"],
    ],
  },
  {
    key: "duration",
    label: "Duration",
    options: [
      ["", "Any length"],
      ["short", "Under 4 minutes"],
      ["medium", "4–20 minutes"],
      ["long", "Over 20 minutes"],
    ],
  },
  {
    key: "uploaded",
    label: "Upload date",
    options: [
      ["", "Any time"],
      ["hour", "Last hour"],
      ["day", "Today"],
      ["week", "This week"],
      ["month", "This month"],
      ["year", "This year"],
    ],
  },
  {
    key: "sort",
    label: "Sort by",
    options: [
      ["", "Relevance"],
      ["date", "Upload date"],
      ["views", "View count"],
    ],
  },
];

const KEYS = new Set<string>(GROUPS.map((g) => g.key));

/** The search parameters that matter (q and known filters with known values), in a fixed order. */
export function searchParamsOf(input: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  const q = input.get("q") ?? "";
  if (q.trim()) out.set("q", q);
  for (const g of GROUPS) {
    const value = input.get(g.key) ?? "";
    if (value && value !== "relevance" && g.options.some(([v]) => v === value)) out.set(g.key, value);
  }
  return out;
}

function hrefWith(params: URLSearchParams, key: FilterKey, value: string): string {
  const next = new URLSearchParams(params);
  if (value) next.set(key, value);
  else next.delete(key);
  return `/search?${next}`;
}

export function chipGroups(params: URLSearchParams): ChipGroup[] {
  const current = searchParamsOf(params);
  return GROUPS.map((g) => ({
    key: g.key,
    label: g.label,
    chips: g.options.map(([value, label]) => ({
      label,
      href: hrefWith(current, g.key, value),
      active: (current.get(g.key) ?? "") === value,
    })),
  }));
}

/** Filters other than the query in effect (the "remove filters" suggestion needs them). */
export function hasFilters(params: URLSearchParams): boolean {
  return [...searchParamsOf(params).keys()].some((k) => KEYS.has(k));
}

/** The same search without any filter. */
export function withoutFilters(params: URLSearchParams): string {
  const q = searchParamsOf(params).get("q");
  return q ? `/search?${new URLSearchParams({ q })}` : "/search";
}
