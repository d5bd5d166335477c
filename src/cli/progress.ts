/**
 * Progress of long work on stderr (never stdout): a bar redrawn in place when stderr is a terminal,
 * plain `k/N done` lines otherwise (e.g. every 10% in a Slurm log). `mode` is --progress.
 */
export type ProgressMode = "auto" | "always" | "never";

export class Progress {
  private readonly tty: boolean;
  private readonly enabled: boolean;
  private readonly started = performance.now();
  private lastDraw = 0;
  private nextLine: number;

  constructor(
    private readonly total: number,
    mode: ProgressMode,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY) && process.env.TERM !== "dumb";
    // in a log, small jobs need no progress lines
    this.enabled = mode === "always" || (mode === "auto" && (this.tty || total >= 100));
    this.nextLine = Math.ceil(total / 10);
  }

  update(done: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    const seconds = (now - this.started) / 1e3;
    const rate = done / Math.max(seconds, 1e-9);
    const eta = rate > 0 ? (this.total - done) / rate : Infinity;
    if (this.tty) {
      if (now - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round((width * done) / this.total);
      this.stream.write(`\r${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${this.total}  ${rate.toFixed(0)} runs/s  ETA ${clock(eta)}\u001b[K`);
    } else if (done >= this.nextLine || done === this.total) {
      this.stream.write(`${this.label}: ${done}/${this.total} done (${rate.toFixed(0)} runs/s, ETA ${clock(eta)})\n`);
      while (this.nextLine <= done) this.nextLine += Math.ceil(this.total / 10);
    }
  }

  finish(): void {
    if (this.enabled && this.tty) this.stream.write("\n");
  }
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return `${h > 0 ? `${h}:` : ""}${String(m).padStart(h > 0 ? 2 : 1, "0")}:${String(r).padStart(2, "0")}`;
}
