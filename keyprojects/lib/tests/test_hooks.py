from keyprojects.lib.hooks import Hook


def test_a_hook_calls_each_receiver_once_in_order_even_when_registered_twice():
    hook = Hook("changed")
    heard = []

    def first(*, value):
        heard.append(("first", value))
        return 1

    def second(*, value):
        heard.append(("second", value))
        return 2

    hook.register(first)
    hook.register(second)
    hook.register(first)  # ready() may run again

    assert hook.send(value="x") == [1, 2]
    assert heard == [("first", "x"), ("second", "x")]


def test_a_hook_nobody_listens_to_sends_nothing():
    assert Hook("quiet").send(value=1) == []
