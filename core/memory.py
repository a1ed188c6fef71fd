"""Python's cyclic garbage collector held off while a bulk step makes many objects."""
import contextlib
import gc


@contextlib.contextmanager
def gc_paused():
    """The cyclic collector off for a while: a bulk step (an import, the listeners of an
    import's changes) makes millions of objects, and each collection would walk them and
    every other object alive again. Reference counting still frees what is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
