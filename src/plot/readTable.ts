import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { UsageError } from "../errors.js";
import type { Table } from "./trajectory.js";

/** A CSV written by ionflux (header `quantity [unit]`) as columns of numbers; text cells stay in `text`. */
export function readTable(path: string): Table & { text: string[][] } {
  let rows: string[][];
  try {
    rows = parse(readFileSync(path, "utf8"), { bom: true });
  } catch (e) {
    throw new UsageError(`${path}: cannot read as CSV (${(e as Error).message.split("\n")[0]})`);
  }
  if (rows.length < 2) throw new UsageError(`${path}: no data rows`);
  const header = rows[0]!;
  const body = rows.slice(1);
  const columns = header.map((_, j) => Float64Array.from(body, (r) => (r[j] === "" || r[j] === undefined ? NaN : Number(r[j]))));
  return { header, columns, text: body };
}
