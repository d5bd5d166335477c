/**
 * SHA-256 (FIPS 180-4) of a text's UTF-8 bytes, as lowercase hex: what
 * `createHash("sha256").update(text).digest("hex")` gives, without loading node:crypto, which
 * costs a plain `ionflux run` 5-8 ms of its start-up (about twenty internal modules) for the one
 * hash its summary carries (scenario_sha256) and its temporary files' machine tag.
 * test/recording/sha256.test.ts holds it to node:crypto and to the standard's test vectors.
 */

/** The first 32 bits of the fractional parts of the square roots (h0) and cube roots (k) of the first primes. */
function constants(): { readonly h0: Uint32Array; readonly k: Uint32Array } {
  const primes: number[] = [];
  for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p !== 0)) primes.push(n);
  const frac32 = (x: number) => Math.floor((x - Math.floor(x)) * 2 ** 32) >>> 0;
  return { h0: Uint32Array.from(primes.slice(0, 8), (p) => frac32(Math.sqrt(p))), k: Uint32Array.from(primes, (p) => frac32(Math.cbrt(p))) };
}
let table: ReturnType<typeof constants> | undefined;

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

export function sha256Hex(text: string): string {
  const { h0, k } = (table ??= constants());
  const bytes = Buffer.from(text, "utf8");
  // the message, a 1 bit, zeros, and its length in bits (64-bit big-endian): whole 64-byte blocks
  const padded = new Uint8Array(Math.ceil((bytes.length + 9) / 64) * 64);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = bytes.length * 8;
  view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(padded.length - 4, bits >>> 0);
  const h = Uint32Array.from(h0);
  const w = new Uint32Array(64);
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(block + 4 * i);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      w[i] = w[i - 16]! + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + w[i - 7]! + (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10));
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i]! + w[i]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0]! += a;
    h[1]! += b;
    h[2]! += c;
    h[3]! += d;
    h[4]! += e;
    h[5]! += f;
    h[6]! += g;
    h[7]! += hh;
  }
  let hex = "";
  for (let i = 0; i < 8; i++) hex += h[i]!.toString(16).padStart(8, "0");
  return hex;
}
