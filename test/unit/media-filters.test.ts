import assert from 'node:assert/strict';
import { MediaError } from '../../main/media/errors.js';
import { FaceAnonymizer, detectFaces } from '../../main/media/face-anonymizer.js';
import { applyFilters } from '../../main/media/filter-effects.js';
import {
  MAX_FILTERS,
  isFilterName,
  listFilters,
  validateFilters,
} from '../../main/media/filters.js';
import type { Mat } from '../../main/media/opencv.js';
import cv from '../../main/media/opencv.js';
import { renderTestPattern } from '../../main/media/test-pattern.js';
import {
  FACE_TILE,
  Pixels,
  cornersImage,
  faceScene,
  maxDifference,
  neutralWithPatches,
  sharpness,
} from '../fixtures/media-images.js';

const pattern = (width = 320, height = 240): Mat =>
  renderTestPattern(42, Date.UTC(2024, 0, 1), width, height);

function isMediaError(code: string) {
  return (err: unknown): boolean => err instanceof MediaError && err.code === code;
}

describe('media filters: catalog', () => {
  it('lists the required filters and more, each with a label and a description', () => {
    const names = listFilters().map((info) => info.name);
    for (const required of [
      'reds',
      'upside-down',
      'blur',
      'grayscale',
      'sepia',
      'invert',
      'mirror',
      'pixelate',
      'edges',
      'cartoon',
      'anonymize',
      'blur-background',
    ]) {
      assert.ok(names.includes(required), `missing ${required}`);
      assert.ok(isFilterName(required));
    }
    for (const info of listFilters()) {
      assert.ok(info.label.length > 0 && info.description.length > 0, info.name);
    }
    assert.equal(isFilterName('sharpen'), false);
  });

  it('hands out copies of the catalog', () => {
    const first = listFilters();
    (first[0] as { label: string }).label = 'changed';
    assert.notEqual(listFilters()[0]?.label, 'changed');
  });

  it('rejects an unknown filter by name', () => {
    assert.throws(
      () => validateFilters(['blur', 'sharpen']),
      (err: unknown) =>
        isMediaError('ERR_UNKNOWN_FILTER')(err) && /"sharpen"/.test((err as Error).message),
    );
  });

  it('rejects duplicates and more than the maximum', () => {
    assert.throws(
      () => validateFilters(['blur', 'reds', 'blur']),
      isMediaError('ERR_BAD_SETTINGS'),
    );
    const nine = listFilters()
      .map((info) => info.name)
      .slice(0, MAX_FILTERS + 1);
    assert.equal(nine.length, MAX_FILTERS + 1);
    assert.throws(() => validateFilters(nine), isMediaError('ERR_BAD_SETTINGS'));
    assert.deepEqual(validateFilters(nine.slice(0, MAX_FILTERS)), nine.slice(0, MAX_FILTERS));
  });
});

describe('media filters: effects', () => {
  it('keep size and type and leave their input alone, for every filter', () => {
    for (const size of [
      [320, 240],
      [322, 182],
    ] as const) {
      const input = pattern(...size);
      const before = input.copy();
      for (const { name } of listFilters()) {
        const output = applyFilters(input, [name]);
        assert.equal(output.cols, size[0], name);
        assert.equal(output.rows, size[1], name);
        assert.equal(output.type, cv.CV_8UC3, name);
        assert.equal(maxDifference(input, before), 0, `${name} changed its input`);
      }
    }
  });

  it('reds: the red channel dominates a neutral picture', () => {
    const input = neutralWithPatches();
    const [b0, g0, r0] = new Pixels(input).means();
    assert.ok(Math.max(b0, g0, r0) / Math.min(b0, g0, r0) < 1.1, 'fixture is not neutral');
    const [b, g, r] = new Pixels(applyFilters(input, ['reds'])).means();
    assert.ok(r > 2.5 * g && r > 2.5 * b, `means B ${b} G ${g} R ${r}`);
  });

  it('upside-down: the top-left corner ends at the bottom-left', () => {
    const input = new Pixels(cornersImage());
    const output = new Pixels(applyFilters(cornersImage(), ['upside-down']));
    assert.deepEqual(output.at(0, output.height - 1), input.at(0, 0));
    assert.deepEqual(output.at(output.width - 1, output.height - 1), input.at(input.width - 1, 0));
    assert.notDeepEqual(output.at(0, 0), input.at(0, 0));
  });

  it('mirror: the top-left corner ends at the top-right', () => {
    const input = new Pixels(cornersImage());
    const output = new Pixels(applyFilters(cornersImage(), ['mirror']));
    assert.deepEqual(output.at(output.width - 1, 0), input.at(0, 0));
    assert.deepEqual(output.at(0, output.height - 1), input.at(input.width - 1, input.height - 1));
  });

  it('blur: the variance of the Laplacian drops at least tenfold', () => {
    for (const [width, height] of [
      [640, 480],
      [1280, 720],
    ] as const) {
      const input = pattern(width, height);
      const ratio = sharpness(input) / sharpness(applyFilters(input, ['blur']));
      assert.ok(ratio > 10, `sharpness only dropped ${ratio.toFixed(1)}x at ${width}x${height}`);
    }
  });

  it('grayscale: blue, green and red are equal everywhere', () => {
    const output = new Pixels(applyFilters(pattern(), ['grayscale']));
    for (let y = 0; y < output.height; y++) {
      for (let x = 0; x < output.width; x++) {
        const [b, g, r] = output.at(x, y);
        if (b !== g || g !== r) assert.fail(`pixel ${x},${y} is ${b},${g},${r}`);
      }
    }
  });

  it('invert: every value v becomes 255 - v', () => {
    const input = pattern();
    const inData = input.getData();
    const outData = applyFilters(input, ['invert']).getData();
    assert.equal(outData.length, inData.length);
    const wrong = inData.findIndex((value, index) => outData[index] !== 255 - value);
    assert.equal(wrong, -1, `byte ${wrong}`);
  });

  it('pixelate: 16 px squares of one colour at 640 wide', () => {
    const output = new Pixels(applyFilters(pattern(640, 480), ['pixelate']));
    const block = 16;
    const colours = new Set<string>();
    for (let by = 0; by < output.height; by += block) {
      for (let bx = 0; bx < output.width; bx += block) {
        const first = output.at(bx, by).join();
        colours.add(first);
        for (let y = by; y < by + block; y++) {
          for (let x = bx; x < bx + block; x++) {
            if (output.at(x, y).join() !== first)
              assert.fail(`block at ${bx},${by} is not uniform`);
          }
        }
      }
    }
    assert.ok(
      colours.size > 20,
      `only ${colours.size} colours: the picture was flattened, not pixelated`,
    );
  });

  it('sepia: red ≥ green ≥ blue on a gray ramp, warm in the midtones', () => {
    const ramp = new cv.Mat(16, 256, cv.CV_8UC1);
    for (let x = 0; x < 256; x++)
      ramp.drawLine(new cv.Point2(x, 0), new cv.Point2(x, 15), new cv.Vec3(x, x, x));
    const output = new Pixels(applyFilters(ramp.cvtColor(cv.COLOR_GRAY2BGR), ['sepia']));
    for (let x = 0; x < 256; x++) {
      const [b, g, r] = output.at(x, 8);
      assert.ok(r >= g && g >= b, `gray ${x} became B ${b} G ${g} R ${r}`);
      if (x >= 64 && x <= 160) assert.ok(r - b >= 25, `gray ${x} is not warm: B ${b} R ${r}`);
    }
  });

  it('edges: mostly dark, with bright lines', () => {
    const gray = applyFilters(pattern(640, 480), ['edges']).cvtColor(cv.COLOR_BGR2GRAY);
    const total = gray.rows * gray.cols;
    const dark = total - gray.threshold(30, 255, cv.THRESH_BINARY).countNonZero();
    const bright = gray.threshold(200, 255, cv.THRESH_BINARY).countNonZero();
    assert.ok(dark / total > 0.85, `only ${((100 * dark) / total).toFixed(1)}% dark`);
    assert.ok(bright / total > 0.005, `only ${bright} bright pixels`);
  });

  it('cartoon: a handful of flat colour levels plus dark outlines', () => {
    const output = applyFilters(pattern(640, 480), ['cartoon']);
    const levels = new Set(output.getData());
    assert.ok(levels.size <= 7, `${levels.size} distinct channel values: ${[...levels].join(',')}`);
    assert.ok(levels.has(0), 'no black outlines');
  });

  it('anonymize: pixelates the detected face and leaves everything else untouched', () => {
    const scene = faceScene();
    const faces = detectFaces(scene);
    assert.equal(faces.length, 1, 'the synthetic face is not detected: fixture or detector broke');
    const [face] = faces;
    assert.ok(face);
    // The box is centred on the face drawn and covers it with margin for hair and chin,
    // but not the whole picture.
    const centre = { x: FACE_TILE.x + FACE_TILE.width / 2, y: FACE_TILE.y + FACE_TILE.height / 2 };
    assert.ok(
      Math.abs(face.x + face.width / 2 - centre.x) < 25 &&
        Math.abs(face.y + face.height / 2 - centre.y) < 25 &&
        face.width >= 110 &&
        face.height >= 140 &&
        face.width <= 320,
      `face box ${face.x},${face.y} ${face.width}x${face.height} does not fit the face drawn`,
    );

    const output = applyFilters(scene, ['anonymize']);
    const faceArea = { x: face.x, y: face.y, width: face.width, height: face.height };
    const region = (mat: Mat) =>
      mat.getRegion(new cv.Rect(face.x, face.y, face.width, face.height));
    assert.ok(maxDifference(scene, output, faceArea) > 40, 'the face region barely changed');
    assert.equal(detectFaces(output).length, 0, 'the face can still be detected');
    const colours = (mat: Mat) =>
      new Set(
        new Pixels(region(mat).copy())
          .rows()
          .flat()
          .map((p) => p.join()),
      ).size;
    assert.ok(
      colours(output) <= 64 && colours(scene) > 4 * colours(output),
      `${colours(scene)} colours became ${colours(output)}`,
    );

    // Put the original face back: what remains must be the input, pixel for pixel.
    region(scene).copyTo(region(output));
    assert.equal(maxDifference(scene, output), 0, 'pixels outside the face changed');
  });

  it('anonymize: a picture without faces comes back unchanged', () => {
    const input = pattern(640, 480);
    assert.equal(detectFaces(input).length, 0);
    // A fresh anonymizer: the filter's own one saw the face above and would now blur the
    // whole picture for a while, which is the point of holding faces.
    assert.equal(maxDifference(input, new FaceAnonymizer().apply(input)), 0);
  });
});

describe('media filters: chains', () => {
  it('apply in the order given', () => {
    const input = pattern();
    const chained = applyFilters(input, ['invert', 'edges']);
    const stepwise = applyFilters(applyFilters(input, ['invert']), ['edges']);
    const reversed = applyFilters(input, ['edges', 'invert']);
    assert.equal(maxDifference(chained, stepwise), 0);
    // Edges of a negative are dark; the negative of edges is almost white.
    assert.ok(new Pixels(chained).means()[0] < 60);
    assert.ok(new Pixels(reversed).means()[0] > 195);
  });

  it('with no filters, return the input itself', () => {
    const input = pattern();
    assert.equal(applyFilters(input, []), input);
  });

  it('refuse unknown names and pictures that are not 8-bit BGR', () => {
    assert.throws(
      () => applyFilters(pattern(), ['reds', 'nope']),
      isMediaError('ERR_UNKNOWN_FILTER'),
    );
    const gray = pattern().cvtColor(cv.COLOR_BGR2GRAY);
    assert.throws(() => applyFilters(gray, ['reds']), isMediaError('ERR_BAD_IMAGE'));
    assert.throws(() => applyFilters(new cv.Mat(), ['reds']), isMediaError('ERR_BAD_IMAGE'));
  });
});
