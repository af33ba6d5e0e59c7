"""The shared counter behind the scan pages' generation (ocop/lib/counter.py), in a file and in the cache."""

import multiprocessing

from ocop.lib.counter import CacheCounter, FileCounter, shared_counter


def _bump(path, times):
    counter = FileCounter(path)
    for _ in range(times):
        counter.incr()


def test_a_file_counter_starts_at_random_and_counts(tmp_path):
    first = FileCounter(str(tmp_path / "a")).get()
    other = FileCounter(str(tmp_path / "b")).get()
    assert first != other  # 48 random bits each
    counter = FileCounter(str(tmp_path / "a"))
    assert counter.get() == first  # kept in the file
    assert counter.incr() == first + 1 and counter.get() == first + 1


def test_increments_from_several_processes_are_never_lost(tmp_path):
    path = str(tmp_path / "shared")
    counter = FileCounter(path)
    start = counter.get()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_bump, args=(path, 200)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert counter.get() == start + 800


def test_a_forked_process_reads_through_its_own_descriptor(tmp_path):
    counter = FileCounter(str(tmp_path / "c"))
    before = counter.get()  # the parent's descriptor is open before the fork
    context = multiprocessing.get_context("fork")
    process = context.Process(target=lambda: counter.incr())
    process.start()
    process.join(timeout=60)
    assert process.exitcode == 0
    assert counter.get() == before + 1


def test_the_cache_counter_changes_to_a_value_never_seen(settings):
    from django.core.cache import cache

    counter = CacheCounter("test:counter")
    start = counter.get()
    assert counter.get() == start
    seen = {start}
    for _ in range(50):
        value = counter.incr()
        assert value not in seen and counter.get() == value
        seen.add(value)
    cache.delete("test:counter")  # evicted: a new random start
    assert counter.get() not in seen


def test_the_store_follows_the_setting(tmp_path):
    assert isinstance(shared_counter("", "key"), CacheCounter)
    path = str(tmp_path / "d")
    assert isinstance(shared_counter(path, "key"), FileCounter)
    assert shared_counter(path, "key") is shared_counter(path, "other")  # one descriptor per file and process
