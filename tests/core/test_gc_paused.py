"""Batches pause the cyclic collector, and whatever the nesting, put it back as it was."""

import gc
import threading

from samphan.core.bulk import gc_paused


def test_paused_inside_and_restored_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # a batch inside a batch
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_last_of_overlapping_batches_turns_it_back_on():
    first_in, second_done = threading.Event(), threading.Event()

    def second_batch():
        first_in.wait()
        with gc_paused():
            pass
        second_done.set()

    thread = threading.Thread(target=second_batch)
    thread.start()
    with gc_paused():
        first_in.set()
        second_done.wait()
        assert not gc.isenabled()  # the second batch ended first: still paused for this one
    thread.join()
    assert gc.isenabled()


def test_restored_when_the_batch_fails():
    try:
        with gc_paused():
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()
