import { readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";

/**
 * Reads the cells of the first sheet of an .xlsx file with no spreadsheet library: the zip's
 * central directory, inflate, and the sheet's XML. Each cell keeps the type the spreadsheet gave
 * it: "n" number, "b" boolean, "s" text (shared, inline or formula string), "e" error.
 */
export interface Cell {
  readonly type: "n" | "b" | "s" | "e";
  /** The number (n), 1/0 (b) or the text (s, e). */
  readonly value: number | string;
}

function unzip(path: string): Map<string, Buffer> {
  const zip = readFileSync(path);
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${path}: not a zip file`);
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`${path}: bad central directory`);
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const skip = nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString("utf8", p + 46, p + 46 + nameLength);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    p += 46 + skip;
  }
  return files;
}

const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
    e === "lt" ? "<" : e === "gt" ? ">" : e === "quot" ? '"' : e === "apos" ? "'" : e === "amp" ? "&" : String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );
const textOf = (xml: string) => unescapeXml([...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => m[1]).join(""));

function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** The first sheet as rows of cells (undefined where a cell is empty). */
export function readXlsx(path: string): (Cell | undefined)[][] {
  const files = unzip(path);
  const shared = [...(files.get("xl/sharedStrings.xml")?.toString("utf8") ?? "").matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => textOf(m[1]!));
  const sheet = files.get("xl/worksheets/sheet1.xml")?.toString("utf8");
  if (sheet === undefined) throw new Error(`${path}: no xl/worksheets/sheet1.xml`);
  const rows: (Cell | undefined)[][] = [];
  for (const m of sheet.matchAll(/<c r="([A-Z]+)(\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const [, col, row, attrs, inner = ""] = m;
    const t = /\st="(\w+)"/.exec(attrs!)?.[1] ?? "n";
    const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
    let cell: Cell | undefined;
    if (t === "s") cell = { type: "s", value: shared[Number(v)]! };
    else if (t === "inlineStr") cell = { type: "s", value: textOf(inner) };
    else if (t === "str") cell = { type: "s", value: unescapeXml(v ?? "") };
    else if (t === "b") cell = { type: "b", value: Number(v) };
    else if (t === "e") cell = { type: "e", value: v ?? "" };
    else if (v !== undefined) cell = { type: "n", value: Number(v) };
    if (cell === undefined) continue;
    const r = Number(row) - 1;
    (rows[r] ??= [])[columnIndex(col!)] = cell;
  }
  return Array.from(rows, (r) => r ?? []);
}
