/**
 * alterPixels (6.3): alterPixels["rectangle", "l=100, t=100, r=200, b=200", "solid", "v=100"] fills the rectangle
 * of columns [l, r) and rows [t, b) of every frame with the value v, to blank burned-in text. Native pixel data
 * only: compressed pixel data is refused (decoding and re-encoding it would not be lossless); an instance without
 * pixel data is left as it is (RT alterPixelsForNonimage.das).
 */
import { EngineFault, VOID_VALUE } from '../runtime-value';
import { argString } from './args';
import type { FunctionSpec } from './types';

const PixelData = 0x7fe00010;

/** Parses "k=v, k=v" into whole numbers; every key in `required` must be present. */
function parseParams(text: string, required: readonly string[], what: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const m = /^\s*([a-z]+)\s*=\s*(-?\d+)\s*$/i.exec(part);
    if (m === null) throw new EngineFault('BAD_ARGUMENT', `the ${what} must be written as k=number pairs separated by commas`);
    out[m[1]!.toLowerCase()] = Number(m[2]);
  }
  const missing = required.filter((k) => out[k] === undefined);
  if (missing.length > 0) throw new EngineFault('BAD_ARGUMENT', `the ${what} lack ${missing.join(', ')}`);
  return out;
}

/** The alterPixels function. */
export const PIXEL_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'alterPixels',
    minArgs: 4,
    maxArgs: 4,
    since: '6.3',
    returns: 'void',
    argRules: ['any', 'any', 'any', 'any'],
    run: (args, ctx) => {
      const [shape, shapeParams, fill, fillParams] = args.map((a, k) => argString(a, ctx, `argument ${k + 1}`) ?? '');
      if (shape !== 'rectangle') throw new EngineFault('BAD_ARGUMENT', 'the only shape supported is "rectangle"');
      if (fill !== 'solid') throw new EngineFault('BAD_ARGUMENT', 'the only fill supported is "solid"');
      const { l, t, r, b } = parseParams(shapeParams!, ['l', 't', 'r', 'b'], 'rectangle parameters') as Record<'l' | 't' | 'r' | 'b', number>;
      const { v } = parseParams(fillParams!, ['v'], 'fill parameters') as Record<'v', number>;
      if (r < l || b < t) throw new EngineFault('BAD_ARGUMENT', 'the rectangle must have r >= l and b >= t');
      if (!ctx.ds.has(PixelData)) return VOID_VALUE;
      if (ctx.ds.pixelGeometry() === undefined) {
        throw new EngineFault('UNSUPPORTED_PIXEL_DATA', 'the pixel data is compressed or its geometry is missing; decompress the file to Explicit VR Little Endian before altering pixels');
      }
      ctx.ds.fillPixelRectangle({ left: l, top: t, right: r, bottom: b }, v);
      return VOID_VALUE;
    },
  },
];
