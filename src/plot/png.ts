import { createRequire } from "node:module";

/** SVG → PNG of the given width, by resvg (Rust, shipped prebuilt inside its npm package). */
export function svgToPng(svg: string, width: number): Buffer {
  const { Resvg } = createRequire(import.meta.url)("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
  const r = new Resvg(svg, { fitTo: { mode: "width", value: width }, font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } });
  return r.render().asPng();
}
