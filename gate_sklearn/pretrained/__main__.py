"""``python -m gate_sklearn.pretrained build``: rebuild a shipped pre-trained model from scratch."""

import argparse
import json


def main(argv=None):
    """Parse the command line and run the build."""
    parser = argparse.ArgumentParser(prog="python -m gate_sklearn.pretrained")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build", help="rebuild a pre-trained model (resumable: run the same command again after a stop)"
    )
    build.add_argument("--name", default="moses-physchem")
    build.add_argument(
        "--moses-wheel", help="the molsets 0.3.1 wheel (pip download molsets==0.3.1 --no-deps)"
    )
    build.add_argument("--moses-molecules", type=int, default=50_000, help="MOSES molecules (default 50,000)")
    build.add_argument("--physprop-molecules", type=int, default=None, help="default: all with a task value")
    build.add_argument("--validation-molecules", type=int, default=2_000)
    build.add_argument("--max-iter", type=int, default=25, help="training epochs at most (default 25)")
    build.add_argument("--batch-size", type=int, default=128)
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--work-dir", default="gate_pretrained_build", help="intermediate files and checkpoints")
    build.add_argument("--out-dir", default=None, help="default: the package's models directory")
    build.add_argument("--n-jobs", type=int, default=None)
    build.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="another GATERegressor parameter (JSON value), e.g. hidden_size=200")
    build.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)

    from ._build import build as run_build

    extra = {}
    for pair in args.set:
        key, _, value = pair.partition("=")
        extra[key] = json.loads(value)
    manifest = run_build(
        args.name, moses_wheel=args.moses_wheel, n_moses=args.moses_molecules, n_physprop=args.physprop_molecules,
        n_validation=args.validation_molecules, max_iter=args.max_iter, batch_size=args.batch_size,
        random_state=args.seed, work_dir=args.work_dir, out_dir=args.out_dir, n_jobs=args.n_jobs,
        verbose=0 if args.quiet else 1, estimator_params=extra,
    )
    corpus, built = manifest["corpus"], manifest["build"]
    print(f"Built {manifest['name']}: {corpus['molecules']} molecules ({corpus['physprop']} physprop, "
          f"{corpus['moses']} MOSES), {len(manifest['tasks'])} tasks, {built['epochs']} epochs in "
          f"{built['fit_seconds'] / 60:.1f} min; {manifest['size_bytes'] / 1e6:.1f} MB, "
          f"sha256 {manifest['sha256'][:12]}")
    for task, score in manifest["tasks"].items():
        r2 = "   n/a" if score["validation_r2"] is None else f"{score['validation_r2']:6.3f}"
        print(f"  {task:<24} validation R^2 {r2}  ({score['validation_values']} molecules)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
