"""``newsdesk predict MODEL --input PATH --output PATH``: label a file (or a folder of
files) of articles of any size with a topic or stance model, streaming with bounded
memory; ``--engine ray`` runs the same prediction on Ray Data (local or a cluster)."""

from __future__ import annotations

import argparse
from typing import Any

from newsdesk.backends import BACKENDS
from newsdesk.batch import DEFAULT_CHUNK_SIZE


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "predict", help="label a JSONL/CSV/Parquet file or folder with a topic or stance model",
        description="Stream records (text, id, and target for stance models) through a "
                    "model; write id, label, score and every label's score. The output "
                    "format follows its suffix: .jsonl, .csv or .parquet (--engine ray: a "
                    "folder of Parquet files).")
    parser.add_argument("model", help="a topic or stance model dir")
    parser.add_argument("--input", required=True, help="a record file, or a folder of them")
    parser.add_argument("--output", required=True, help="the predictions file (or folder)")
    parser.add_argument("--batch-size", type=int, default=32,
                        help="token windows per forward pass (default: 32)")
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE,
                        help="records read, predicted and written at a time "
                             f"(default: {DEFAULT_CHUNK_SIZE})")
    parser.add_argument("--device", help="cpu, cuda, cuda:1, mps (default: the best there is)")
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="torch, or onnx: the dir's ONNX export on the CPU (write it "
                             "with newsdesk export MODEL --onnx [--int8]); default: torch "
                             "where it is installed, else onnx (the light install)")
    parser.add_argument("--int8", action="store_true",
                        help="the ONNX export's int8 copy (model.int8.onnx; implies "
                             "--backend onnx)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    ray = parser.add_argument_group("Ray Data (--engine ray)")
    ray.add_argument("--engine", choices=("local", "ray"), default="local",
                     help="local: one process (default); ray: a pool of Ray actors")
    ray.add_argument("--concurrency", type=int, default=2,
                     help="actors, each holding one copy of the model (default: 2)")
    ray.add_argument("--cpus-per-actor", type=float, default=1.0,
                     help="CPUs reserved for (and torch threads of) each actor (default: 1)")
    ray.add_argument("--gpus-per-actor", type=float, default=0.0,
                     help="GPUs for each actor, e.g. 1 or 0.5 (default: 0)")
    ray.add_argument("--ray-address", help="a Ray cluster to join, e.g. auto or "
                                           "ray://head:10001 (default: RAY_ADDRESS, else a "
                                           "local Ray)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from newsdesk.errors import ConfigError

    if args.int8 and args.backend == "torch":
        raise ConfigError("--int8 needs --backend onnx")
    if args.engine == "ray":
        summary = _run_ray(args)
    else:
        from newsdesk.batch import load_classifier, predict_file

        classifier = load_classifier(args.model, args.device, backend=args.backend,
                                     quantize=_quantize(args))
        summary = predict_file(classifier, args.input, args.output,
                               batch_size=args.batch_size, chunk_size=args.chunk_size,
                               progress=not args.no_progress)
    print(f"{summary.records} predictions written to {summary.output} "
          f"({summary.docs_per_second:.1f} docs/s)")
    return 0


def _quantize(args: argparse.Namespace) -> str | None:
    """The ``quantize`` argument of ``from_pretrained`` that ``--int8`` asks for."""
    return "int8" if args.int8 else None


def _run_ray(args: argparse.Namespace) -> Any:
    from newsdesk.errors import ConfigError

    try:
        import ray.data  # noqa: F401
    except ImportError as error:
        raise ConfigError(f"--engine ray needs Ray Data ({error}); install newsdesk[scale]"
                          ) from None
    from newsdesk.ray_engine import RaySettings, predict_with_ray

    settings = RaySettings(concurrency=args.concurrency, cpus_per_actor=args.cpus_per_actor,
                           gpus_per_actor=args.gpus_per_actor, batch_size=args.batch_size,
                           chunk_size=args.chunk_size, address=args.ray_address,
                           device=args.device, backend=args.backend,
                           quantize=_quantize(args))
    return predict_with_ray(args.model, args.input, args.output, settings,
                            progress=not args.no_progress)
