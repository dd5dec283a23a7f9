import threading

from datatrove.data import Document
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from mellum_data.errors import ConfigError
from mellum_data.pipelines.executor import (
    FORK_SAFE_THREADS,
    DocProgress,
    Execution,
    local_start_method,
    make_executor,
    with_progress,
)


def test_progress_goes_after_the_last_reader(tmp_path):
    r1, r2, w = JsonlReader(str(tmp_path)), JsonlReader(str(tmp_path)), JsonlWriter(str(tmp_path))
    steps = with_progress([r1, r2, w], "web")
    assert [type(s) for s in steps] == [JsonlReader, JsonlReader, DocProgress, JsonlWriter]
    assert with_progress([w], "web") == [w]


def test_progress_counts_without_changing_documents(capsys):
    docs = [Document(text=str(i), id=str(i)) for i in range(5)]
    out = list(DocProgress("test").run(iter(docs)))
    assert out == docs
    assert "test: 5 docs" in capsys.readouterr().err


def test_local_executor_options(tmp_path):
    ex = make_executor([], Execution(tasks=4, workers=8, force=True), logging_dir=str(tmp_path))
    assert (ex.tasks, ex.workers, ex.skip_completed) == (4, 4, False)


def test_local_workers_fork_unless_another_thread_runs(tmp_path):
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if not all(t.name.startswith(FORK_SAFE_THREADS) for t in others):
        assert local_start_method() == "forkserver"  # a fixture's server thread runs
        return
    assert make_executor([], Execution(workers=2), logging_dir=str(tmp_path)).start_method == "fork"
    cases = (("fsspecIO", "fork"), ("shard-writer_0", "fork"), ("poller", "forkserver"))
    for name, method in cases:
        stop = threading.Event()
        helper = threading.Thread(target=stop.wait, name=name)
        helper.start()
        try:
            ex = make_executor([], Execution(workers=2), logging_dir=str(tmp_path))
            assert ex.start_method == method, name
        finally:
            stop.set()
            helper.join()
    chosen = Execution(workers=2, options={"start_method": "spawn"})
    assert make_executor([], chosen, logging_dir=str(tmp_path)).start_method == "spawn"


def test_bad_execution_settings(tmp_path):
    try:
        make_executor([], Execution(tasks=0), logging_dir=str(tmp_path))
    except ConfigError as e:
        assert str(e) == "--tasks and --workers must be >= 1 (got 0, 1)"
    else:
        raise AssertionError("tasks=0 accepted")


def test_slurm_without_sbatch_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    try:
        make_executor([], Execution(executor="slurm"), logging_dir=str(tmp_path))
    except ConfigError as e:
        assert str(e) == "--executor slurm: sbatch not found on PATH (run on a Slurm login node)"
    else:
        raise AssertionError("slurm accepted without sbatch")
