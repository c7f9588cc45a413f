/**
 * The one way into OpenCV for this project: `import cv from './opencv.js'`. Going through
 * here guarantees the prelude runs before the binding loads (ES modules evaluate imports
 * in order).
 */
import './opencv-prelude.js';
import cv from '@u4/opencv4nodejs';

export default cv;
export type {
  Mat,
  Rect,
  CascadeClassifier,
  VideoCapture as CvVideoCapture,
} from '@u4/opencv4nodejs';
