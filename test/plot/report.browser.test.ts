import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode } from "fast-png";
import { describe, expect, it } from "vitest";

/**
 * The report in a real browser: Debian's chromium (installed here when missing, in CI or with
 * IONFLUX_SLOW=1, as root), driven by playwright-core. No console errors, no network request but
 * the page itself, and a screenshot that is not blank.
 */
const wanted = process.env.CI === "true" || process.env.IONFLUX_SLOW === "1";
function chromium(): string | null {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  if (!wanted || process.getuid?.() !== 0) return null;
  // flock: the cluster tests may be installing their packages at the same moment (one dpkg lock)
  spawnSync("bash", ["-c", "flock /tmp/ionflux-apt.lock apt-get update -qq && DEBIAN_FRONTEND=noninteractive flock /tmp/ionflux-apt.lock apt-get install -y -qq --no-install-recommends chromium"], { stdio: "ignore", timeout: 600_000 });
  return existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : null;
}
const browser = chromium();
const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });

describe.skipIf(browser === null)("the HTML report in headless Chromium", () => {
  it("opens offline without console errors or network requests, and its screenshot is not blank", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ionflux-report-"));
    expect(ionflux(["run", "sims/donnan.yaml", "sims/k-nernst.yaml", "--out", dir]).status).toBe(0);
    expect(ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "channels.k-leak.conductance=0.1 mS/cm^2:2 mS/cm^2:log:8", "--vary", "ions.K.outside=2 mM,5 mM,9 mM", "--set", "run.duration=0.05 s", "--out", dir]).status).toBe(0);
    expect(ionflux(["report", dir]).status).toBe(0);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
    const { chromium: pw } = await import("playwright-core");
    const b = await pw.launch({
      executablePath: browser!,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await b.newPage({ viewport: { width: 1000, height: 1400 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(String(e)));
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(`file://${join(dir, "report.html")}`);
      expect(problems).toEqual([]);
      expect(requests).toEqual([`file://${join(dir, "report.html")}`]);
      expect(await page.locator("section").count()).toBe(3);
      expect(await page.locator("svg").count()).toBeGreaterThanOrEqual(3);
      const png = decode(await page.screenshot({ fullPage: false }));
      // not blank: many distinct colours, and a good share of non-white pixels
      const colours = new Set<number>();
      let ink = 0;
      const px = png.data;
      const channels = png.channels;
      for (let i = 0; i < px.length; i += channels) {
        colours.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
        if (px[i]! + px[i + 1]! + px[i + 2]! < 600) ink++;
      }
      expect(colours.size).toBeGreaterThan(50);
      expect(ink / (px.length / channels)).toBeGreaterThan(0.02);
    } finally {
      await b.close();
    }
  }, 600_000);
});
