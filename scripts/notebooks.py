#!/usr/bin/python3
"""Run, install and check the Java notebooks in notebooks/ (rapaio-jupyter-kernel, a JShell-based kernel).

  notebooks.py run [options] NOTEBOOK...   execute headlessly; exit 1 naming the notebook, cell and error
  notebooks.py install [--prefix DIR]      install the "ssm4j-java" kernelspec for `jupyter notebook`
  notebooks.py check NOTEBOOK...           exit 1 unless the notebooks are stored with outputs cleared

The kernel jar and the project's classpath come from the build: `mvn -DskipTests install` (or `verify`)
writes ssm-tests/target/notebooks/rapaio-jupyter-kernel-<version>.jar and classpath.txt (the runtime
classpath of ssm-tests, ';'-separated as the kernel's RJK_CLASSPATH variable wants it). The kernelspec
passes that classpath to the kernel in RJK_CLASSPATH; the notebooks themselves name no paths.

The kernel's start sometimes never answers (a startup race in the kernel: measured about 1 start in 6 to 10
here) or dies before answering; `run` then kills it and starts another, up to --retries times.

Needs Debian's python3-nbclient, jupyter-client and jupyter-nbconvert (no PyPI), and Java 17.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "ssm-tests", "target", "notebooks")
KERNEL_NAME = "ssm4j-java"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def default_kernel_jar():
    jars = sorted(glob.glob(os.path.join(BUILD, "rapaio-jupyter-kernel-*.jar")))
    return jars[-1] if jars else None


def read_classpath(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def native_extension(classpath):
    """The ND4J native build on the classpath ("-onednn-avx2" for nd4j-native-...-linux-x86_64-onednn-avx2.jar,
    "" for the generic one). JavaCPP loads that build only when told so by a system property."""
    for entry in classpath.split(";"):
        m = re.match(r"nd4j-native-.*-(?:linux|macosx|windows)-(?:x86_64|arm64)((?:-[a-z0-9]+)*)\.jar$",
                     os.path.basename(entry))
        if m:
            return m.group(1)
    return ""


def kernel_json(jar, classpath, java="java"):
    """The kernelspec of rapaio-jupyter-kernel's own installer, with the project's classpath in RJK_CLASSPATH
    and the JavaCPP property that selects the project's ND4J native build (the kernel runs cells in its JVM)."""
    version = re.sub(r".*rapaio-jupyter-kernel-(.*)\.jar$", r"\1", jar)
    extension = "-Dorg.bytedeco.javacpp.platform.extension=" + native_extension(classpath)
    return {
        "argv": [java, extension, "-jar", jar, "{connection_file}"],
        "display_name": "Java (ssm4j, rjk %s)" % version,
        "language": "java",
        "interrupt_mode": "message",
        "env": {
            "RJK_CLASSPATH": classpath,
            "RJK_COMPILER_OPTIONS": "",
            "RJK_INIT_SCRIPT": "",
            "RJK_TIMEOUT_MILLIS": "-1",
        },
    }


def write_kernelspec(kernels_dir, jar, classpath, copy_jar):
    spec_dir = os.path.join(kernels_dir, KERNEL_NAME)
    os.makedirs(spec_dir, exist_ok=True)
    if copy_jar:
        target = os.path.join(spec_dir, os.path.basename(jar))
        shutil.copyfile(jar, target)
        jar = target
    with open(os.path.join(spec_dir, "kernel.json"), "w", encoding="utf-8") as f:
        json.dump(kernel_json(jar, classpath), f, indent=2)
    return spec_dir


def build_inputs(args):
    jar = args.kernel_jar or default_kernel_jar()
    cp = args.classpath_file or os.path.join(BUILD, "classpath.txt")
    missing = [p for p in (jar, cp) if not p or not os.path.isfile(p)]
    if missing:
        sys.exit("notebooks.py: the kernel jar or the classpath file is missing (%s); build first: "
                 "mvn -B -ntp -DskipTests install" % ", ".join(str(m) for m in missing))
    return os.path.abspath(jar), read_classpath(cp)


# ---------------------------------------------------------------------------------------------- check

def outputs_of(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    problems = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            problems.append("cell %d has outputs" % i)
        if cell.get("execution_count") is not None:
            problems.append("cell %d has an execution count" % i)
    return problems


def cmd_check(args):
    bad = 0
    for path in args.notebooks:
        for p in outputs_of(path):
            print("%s: %s" % (path, p))
            bad += 1
    if bad:
        print("Clear them: jupyter nbconvert --clear-output --inplace %s" % " ".join(args.notebooks))
    return 1 if bad else 0


# ------------------------------------------------------------------------------------------- install

def cmd_install(args):
    jar, classpath = build_inputs(args)
    if args.prefix:
        kernels = os.path.join(args.prefix, "share", "jupyter", "kernels")
    else:
        from jupyter_core.paths import jupyter_data_dir
        kernels = os.path.join(jupyter_data_dir(), "kernels")
    spec = write_kernelspec(kernels, jar, classpath, copy_jar=True)
    print("Installed kernelspec %s in %s" % (KERNEL_NAME, spec))
    print("Open the notebooks with: jupyter notebook %s" % os.path.join(ROOT, "notebooks"))
    return 0


# ----------------------------------------------------------------------------------------------- run

class KernelStartError(Exception):
    pass


def start_kernel(client, log, startup_timeout, retries, say):
    """Starts the client's kernel; a start that does not answer kernel_info in time is killed and retried."""
    for attempt in range(1, retries + 2):
        client.create_kernel_manager()
        t0 = time.time()
        try:
            client.start_new_kernel(stdout=log, stderr=log)
            client.start_new_kernel_client()  # waits for kernel_info up to client.startup_timeout
            say("kernel ready in %.1f s (attempt %d)" % (time.time() - t0, attempt))
            return
        except Exception as e:  # RuntimeError: "Kernel didn't respond in N seconds" or "Kernel died ..."
            say("kernel start %d of %d failed after %.0f s (%s: %s); killed it%s"
                % (attempt, retries + 1, time.time() - t0, type(e).__name__, e,
                   ", retrying" if attempt <= retries else ""))
            stop_kernel(client)
    raise KernelStartError("the kernel did not start in %d attempts" % (retries + 1))


def stop_kernel(client):
    """Kills the client's kernel process, if any, and forgets it (start_new_kernel_client may have already)."""
    try:
        if client.km is not None:
            client._cleanup_kernel()  # nbclient's own: shutdown (immediate), cleanup, stop channels
    except Exception:
        pass  # the kernel is gone already
    client.km = None
    client.kc = None


def plain(text):
    return ANSI.sub("", text if isinstance(text, str) else "\n".join(text))


def failure_report(nb, name):
    """The first cell with an error output: its index, source and error, ANSI colours removed."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                lines = ["", "=" * 78, "NOTEBOOK FAILED: %s, cell %d" % (name, i), "-" * 30 + " cell source " + "-" * 35,
                         cell.source, "-" * 30 + " error " + "-" * 41,
                         "%s: %s" % (out.get("ename"), out.get("evalue"))]
                lines += [plain(t) for t in out.get("traceback", [])]
                lines.append("=" * 78)
                return "\n".join(lines)
    return None


def coalesce_streams(nb):
    """Joins consecutive stream outputs of a cell (the kernel sends printf output in many small pieces)."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            if (out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == out.get("name")):
                merged[-1]["text"] += out["text"]
            else:
                merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged


def count_images(nb):
    return sum(1 for c in nb.cells for o in c.get("outputs", [])
               if o.get("output_type") in ("display_data", "execute_result") and "image/png" in o.get("data", {}))


def run_one(path, args, kernels_dir, out_dir):
    import nbformat
    from nbclient import NotebookClient

    name = os.path.basename(path)
    say = lambda msg: print("[%s] %s" % (name, msg), flush=True)
    nb = nbformat.read(path, as_version=4)
    cwd = os.path.dirname(os.path.abspath(path))
    # a failing cell raises CellExecutionError after its error output is recorded in nb: reported below
    client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=args.cell_timeout,
                            startup_timeout=args.startup_timeout, allow_errors=False,
                            shutdown_kernel="immediate",
                            resources={"metadata": {"path": cwd}})
    os.makedirs(out_dir, exist_ok=True)
    log_path = os.path.join(out_dir, name.replace(".ipynb", ".kernel.log"))
    t0 = time.time()
    error = None
    with open(log_path, "wb") as log:
        try:
            client.reset_execution_trackers()
            start_kernel(client, log, args.startup_timeout, args.retries, say)
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        except KernelStartError as e:
            error = "%s\n(kernel log: %s)\n%s" % (e, log_path, tail(log_path))
        except Exception as e:  # CellExecutionError, CellTimeoutError, DeadKernelError
            error = failure_report(nb, name) or "%s: %s\n(kernel log: %s)" % (type(e).__name__, plain(str(e)), log_path)
        finally:
            stop_kernel(client)
    coalesce_streams(nb)
    executed = os.path.join(out_dir, name)
    nbformat.write(nb, executed)
    seconds = time.time() - t0
    if error is None:
        wanted = nb.metadata.get("ssm4j", {}).get("min_images", 0)
        got = count_images(nb)
        if got < wanted:
            error = "NOTEBOOK FAILED: %s produced %d images (image/png outputs), expected at least %d" % (
                name, got, wanted)
        else:
            say("ok in %.0f s, %d images; executed copy: %s" % (seconds, got, executed))
    if error is not None:
        print(error, flush=True)
    return error is None, seconds


def tail(path, lines=40):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def cmd_run(args):
    if args.kernelspec:
        kernels_dir = os.path.dirname(os.path.abspath(args.kernelspec))
        if os.path.basename(os.path.abspath(args.kernelspec)) != KERNEL_NAME:
            sys.exit("notebooks.py: --kernelspec must be a directory named %s" % KERNEL_NAME)
    else:
        jar, classpath = build_inputs(args)
        kernels_dir = os.path.join(tempfile.mkdtemp(prefix="ssm4j-jupyter-"), "kernels")
        write_kernelspec(kernels_dir, jar, classpath, copy_jar=False)
    # only our kernelspec directory is searched for "ssm4j-java": a user's installed one is not used
    os.environ["JUPYTER_PATH"] = os.path.dirname(kernels_dir)
    # one native thread, as in the tests: on a small or busy machine ND4J's OpenMP threads otherwise spin-wait
    # against each other (training steps measured several times slower)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    out_dir = os.path.abspath(args.out)
    failed = []
    total = 0.0
    for path in args.notebooks:
        ok, seconds = run_one(path, args, kernels_dir, out_dir)
        total += seconds
        if not ok:
            failed.append(path)
    print("%d notebook(s) in %.0f s; %d failed%s" % (len(args.notebooks), total, len(failed),
                                                   (": " + ", ".join(failed)) if failed else ""), flush=True)
    return 1 if failed else 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    def build_options(q):
        q.add_argument("--kernel-jar", help="rapaio-jupyter-kernel jar (default: the one the build copied)")
        q.add_argument("--classpath-file", help="';'-separated classpath (default: the one the build wrote)")

    r = sub.add_parser("run", help="execute notebooks headlessly")
    build_options(r)
    r.add_argument("--kernelspec", help="use this existing kernelspec directory (named %s) as it is" % KERNEL_NAME)
    r.add_argument("--out", default=os.path.join(BUILD, "executed"), help="where executed copies go")
    r.add_argument("--startup-timeout", type=int, default=30, help="seconds for the kernel to answer (30; it answers in 2 to 10)")
    r.add_argument("--retries", type=int, default=4, help="kernel starts to retry after a hang (4)")
    r.add_argument("--cell-timeout", type=int, default=600, help="seconds per cell (600)")
    r.add_argument("notebooks", nargs="+")
    i = sub.add_parser("install", help="install the ssm4j-java kernelspec for jupyter")
    build_options(i)
    i.add_argument("--prefix", help="install under PREFIX/share/jupyter/kernels instead of the user's data dir")
    c = sub.add_parser("check", help="check that notebooks are stored without outputs")
    c.add_argument("notebooks", nargs="+")
    args = p.parse_args(argv)
    return {"run": cmd_run, "install": cmd_install, "check": cmd_check}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
