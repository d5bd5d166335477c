import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { parse } from "csv-parse/sync";
import { AtomicFile, prepareOutDir } from "../../recording/atomicFile.js";
import { DataFileError } from "../../scenario/safeData.js";
import { readMeta, type SweepMeta } from "../../sweep/output.js";
import { checkOutDir } from "../outDir.js";

/**
 * `ionflux merge DIR... [--out DIR]`: joins the shards of one sweep (sweep.shard-K-of-N.csv and
 * their .meta.json) into a sweep.csv byte-identical to an unsharded run's. Refuses a missing,
 * incomplete, duplicated or foreign shard.
 */
export function mergeCommand(opts: { dirs: readonly string[]; out: string }, print: (line: string) => void): void {
  checkOutDir(opts.out, "merge");
  const shards: { meta: SweepMeta; csv: string }[] = [];
  for (const dir of opts.dirs) {
    if (!existsSync(dir)) throw new UsageError(`merge: ${dir}: no such directory`, false);
    for (const name of readdirSync(dir).sort()) {
      const m = /^(sweep\.shard-\d+-of-\d+)\.meta\.json$/.exec(name);
      if (!m) continue;
      const meta = readMeta(join(dir, name))!;
      if (meta.shard === null) throw new DataFileError(join(dir, name), "has no shard K/N: not the meta file of a shard (run with --shard K/N)");
      shards.push({ meta, csv: join(dir, `${m[1]}.csv`) });
    }
  }
  if (shards.length === 0) throw new UsageError(`merge: no shard files (sweep.shard-K-of-N.meta.json) in ${opts.dirs.join(", ")}`, false);
  const first = shards[0]!.meta;
  const count = first.shard!.count;
  const seen = new Map<number, (typeof shards)[number]>();
  for (const s of shards) {
    if (s.meta.sweep_id !== first.sweep_id || s.meta.shard?.count !== count) {
      throw new UsageError(`merge: ${s.csv} belongs to another sweep (id ${s.meta.sweep_id}, ${s.meta.shard?.count} shards) than ${shards[0]!.csv} (id ${first.sweep_id}, ${count} shards)`, false);
    }
    if (seen.has(s.meta.shard!.index)) throw new UsageError(`merge: shard ${s.meta.shard!.index}/${count} given twice (${seen.get(s.meta.shard!.index)!.csv} and ${s.csv})`, false);
    if (!s.meta.complete) throw new UsageError(`merge: ${s.csv} is incomplete (${s.meta.runs_done} of ${s.meta.runs_expected} runs); resume that shard first`, false);
    seen.set(s.meta.shard!.index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length) throw new UsageError(`merge: missing shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} of ${count}`, false);

  // each shard holds runs k ≡ K−1 (mod N) in order: interleave them round-robin
  const lines = Array.from({ length: count }, (_, i) => readShard(seen.get(i + 1)!.csv));
  const header = lines[0]![0]!;
  if (lines.some((l) => l[0] !== header)) throw new UsageError("merge: the shards' headers differ", false);
  prepareOutDir(opts.out);
  const out = new AtomicFile(join(opts.out, "sweep.csv"));
  out.write(`${header}\n`);
  for (let k = 0; k < first.total_runs; k++) {
    const row = lines[k % count]![1 + Math.floor(k / count)];
    if (row === undefined || !row.startsWith(`${k},`)) {
      out.discard();
      throw new UsageError(`merge: run ${k} is missing from shard ${(k % count) + 1}`, false);
    }
    out.write(`${row}\n`);
  }
  out.commit();
  print(`merged ${count} shards, ${first.total_runs} runs -> ${join(opts.out, "sweep.csv")}`);
}

/** A shard's CSV as its lines, checked to be a table (every row as wide as the header): a cut-short or edited file is a one-line error. */
function readShard(csv: string): string[] {
  let text: string;
  try {
    text = readFileSync(csv, "utf8");
  } catch (e) {
    throw new DataFileError(csv, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); its meta file is there, the table is not`);
  }
  const lines = text.split("\n").filter((l) => l !== "");
  let records: string[][];
  try {
    records = parse(text);
  } catch (e) {
    throw new DataFileError(csv, `not a valid table (${(e as Error).message.split("\n")[0]}); run that shard again`);
  }
  if (records.length !== lines.length || !text.endsWith("\n")) throw new DataFileError(csv, "cut short or edited (its rows do not read back line by line); run that shard again");
  return lines;
}
