"""The ``hybrid`` OCR engine: Tesseract finds the lines, PP-OCR reads them.

Tesseract chi_sim misreads about 1.9 % of the characters of a clean 200-dpi scan
(扬→场, 乃→帮, “ read as ").  PaddleOCR's PP-OCRv4 Chinese recognizer, run through
RapidOCR on ONNX Runtime, reads the same text with fewer errors, but its own text
detector drops about one line per page, while Tesseract's line boxes are complete
(issue 5).  So this engine runs :class:`~docpipe.extract.ocr.TesseractEngine` as it
is (rule removal, margin re-reads, line grouping, tab splitting) and then reads the
crop of each resulting line again with the recognizer alone: no detector, no angle
classifier.  Each line keeps Tesseract's box, size and reading order; its text and
confidence are the recognizer's.

The recognizer's model ships inside the ``rapidocr_onnxruntime`` wheel: nothing is
downloaded at run time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from docpipe.extract.ocr import RULE_MIN_LENGTH_PT, TesseractEngine, remove_rules
from docpipe.layout import Line
from docpipe.settings import Settings

#: ONNX Runtime threads inside one recognition.  docpipe OCRs pages on one worker per
#: core already (as for Tesseract's OMP_THREAD_LIMIT=1), and on one 29-line page on 2
#: cores a second intra-op thread bought no wall time (5.4 s with 1 thread, 6.2 s with
#: 2, 9.9 s with ONNX's default) while it burnt 60 % more CPU.  Whole-book comparison:
#: benchmarks/ocr_engines.py --threads.
ONNX_THREADS = 1
#: Line crops recognised per ONNX call.  RapidOCR batches 6 by default, padding each to
#: the widest; measured on a 29-line page, one at a time took 4.8 s of CPU against 11.5 s.
RECOGNITION_BATCH = 1
#: Margin of page pixels kept around Tesseract's line box, in line heights, and at least
#: MIN_CROP_PADDING pixels.  Measured on the scanned book's article pages (concatenated
#: page text against the golden): 0.1 -> 3.42 % CER, 0.2 -> 3.50 %, 0.3 -> 3.61 %;
#: padding with blank paper instead of page pixels: 6.8 % at 0.2 (specks' crops were
#: read as long strings of garbage).  A lone page number "15" 15 px high came back
#: "1.5" with a 2-pixel margin and "15" with 3 or more.
CROP_PADDING = 0.1
MIN_CROP_PADDING = 3
#: A blank stretch inside a table row counts as a gap between cells when it is at least
#: this many line heights wide (Tesseract's rows carry a tab there, Settings.tab_gap_em).
MIN_CELL_GAP = 1.0
#: PP-OCRv4's dictionary has the radical 丶 (U+4E36), which it reads for the enumeration
#: comma 、 in running text; 丶 alone never occurs in it.
_PADDLE_CONFUSIONS = str.maketrans({"丶": "、"})

_RECOGNIZERS: dict[int, Any] = {}
_RECOGNIZERS_LOCK = threading.Lock()


def recognizer(threads: int = ONNX_THREADS) -> Any:
    """RapidOCR's PP-OCRv4 text recognizer with ``threads`` intra-op threads, loaded once
    per process (page workers are threads, and ONNX Runtime sessions may be shared by them).
    """
    with _RECOGNIZERS_LOCK:
        if threads not in _RECOGNIZERS:
            from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer

            config = recognizer_config()
            config["intra_op_num_threads"] = threads
            config["inter_op_num_threads"] = 1
            config["rec_batch_num"] = RECOGNITION_BATCH
            _RECOGNIZERS[threads] = TextRecognizer(config)
        return _RECOGNIZERS[threads]


def recognizer_config() -> dict[str, Any]:
    """The ``Rec`` section of RapidOCR's packaged config.yaml, its model path made absolute."""
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    config: dict[str, Any] = dict(update_model_path(read_yaml(DEFAULT_CFG_PATH))["Rec"])
    return config


def recognizer_model_path() -> Path:
    """Where the recognizer's ONNX model lies: inside the installed package."""
    return Path(recognizer_config()["model_path"])


@dataclass(frozen=True, slots=True)
class HybridEngine:
    """Tesseract's lines, each line (or table cell) read again by PP-OCRv4."""

    tesseract: TesseractEngine = field(default_factory=TesseractEngine)
    threads: int = ONNX_THREADS
    split_cells: bool = True
    name: str = "hybrid"

    def read_lines(
        self, image: Image.Image, *, page_number: int, scale: float
    ) -> tuple[list[Line], float | None]:
        lines, _ = self.tesseract.read_lines(image, page_number=page_number, scale=scale)
        if not lines:
            return [], None
        # The same rule-free image Tesseract read: a rule left in a crop reads as 一 or —.
        gray = np.asarray(remove_rules(image, min_length=round(RULE_MIN_LENGTH_PT / scale)).convert("L"))
        reread = [self._reread(line, gray, scale=scale) for line in lines]
        weighted = [(line.confidence, len(line.text)) for line in reread if line.confidence is not None]
        characters = sum(count for _, count in weighted)
        return reread, (sum(c * n for c, n in weighted) / characters if characters else None)

    def _reread(self, line: Line, gray: np.ndarray, *, scale: float) -> Line:
        crop = line_crop(gray, line, scale=scale)
        tabs = line.text.count("\t")
        if tabs:
            cells = split_cells(crop, tabs) if self.split_cells else None
            if cells is None:
                return line  # cells not found in the ink: Tesseract's tabbed text stands
        else:
            cells = [crop]
        read = recognize(cells, threads=self.threads)
        characters = sum(len(cell_text) for cell_text, _ in read)
        score = sum(s * len(t) for t, s in read) / characters if characters else 0.0
        # No fallback to Tesseract's text where PP-OCR is unsure: such lines are specks,
        # which PP-OCR reads as nothing or one character at a score near 0.05 and
        # drop_speck_lines then drops; keeping Tesseract's junk for them instead (score
        # < 0.5 and under half the characters shared) raised the book's CER from 3.42 %
        # to 3.74 % (the lines concerned were specks and rule fragments).
        return replace(line, text="\t".join(cell_text for cell_text, _ in read), confidence=100 * score)


def recognize(crops: Sequence[np.ndarray], *, threads: int = ONNX_THREADS) -> list[tuple[str, float]]:
    """PP-OCRv4's text and score (0-1) for each grayscale crop of one text line."""
    images = [np.repeat(crop[:, :, None], 3, axis=2) for crop in crops]  # the model reads BGR
    results, _elapsed = recognizer(threads)(images)
    return [(fix_paddle_confusions(str(text).strip()), float(score)) for text, score in results]


def fix_paddle_confusions(text: str) -> str:
    """Replace characters PP-OCRv4 reads for others that look alike and never occur alone.

    >>> fix_paddle_confusions("省丶市政府")
    '省、市政府'
    """
    return text.translate(_PADDLE_CONFUSIONS)


def line_crop(gray: np.ndarray, line: Line, *, scale: float) -> np.ndarray:
    """The pixels of ``line``'s box (in points; ``scale`` points per pixel), with a margin."""
    left, top, right, bottom = (round(edge / scale) for edge in (line.x0, line.top, line.x1, line.bottom))
    pad = max(MIN_CROP_PADDING, round(CROP_PADDING * (bottom - top)))
    height, width = gray.shape
    return gray[max(top - pad, 0) : min(bottom + pad, height), max(left - pad, 0) : min(right + pad, width)]


def split_cells(crop: np.ndarray, tabs: int) -> list[np.ndarray] | None:
    """``crop`` of a table row cut into ``tabs + 1`` cells at its widest blank stretches.

    Tesseract put a tab where the row has a column gap (or had a rule, now painted out);
    the ``tabs`` widest blank runs between the row's ink, if each is at least
    :data:`MIN_CELL_GAP` line heights wide, are those gaps.  None when there are fewer.
    """
    ink = crop < (int(np.median(crop)) + int(crop.min())) / 2
    columns = np.flatnonzero(ink.any(axis=0))
    if columns.size == 0:
        return None
    blank = ~ink[:, columns[0] : columns[-1] + 1].any(axis=0)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], blank.astype(np.int8), [0]))))
    runs = sorted(
        (
            (end - start, columns[0] + (start + end) // 2)
            for start, end in zip(edges[::2], edges[1::2], strict=True)
        ),
        reverse=True,
    )[:tabs]
    if len(runs) < tabs or runs[-1][0] < MIN_CELL_GAP * crop.shape[0]:
        return None
    cuts = [0, *sorted(int(middle) for _, middle in runs), crop.shape[1]]
    pad = max(MIN_CROP_PADDING, round(CROP_PADDING * crop.shape[0]))
    cells = []
    for start, end in pairwise(cuts):
        # Each cell trimmed to its own ink and the usual margin, not half a column gap.
        inked = np.flatnonzero(ink[:, start:end].any(axis=0)) + start
        cells.append(crop[:, max(inked[0] - pad, 0) : min(inked[-1] + 1 + pad, crop.shape[1])])
    return cells


def hybrid_engine(settings: Settings) -> HybridEngine:
    """The hybrid engine configured from ``settings`` (Tesseract's part as the tesseract engine's)."""
    return HybridEngine(tesseract=TesseractEngine.from_settings(settings))
