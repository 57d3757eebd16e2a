"""A refused upload: a reason key and the message people read, in their language."""


class Refusal(Exception):
    """A refusal whose ``reason`` is a key of the subclass's ``REASONS`` (lazy messages with
    ``%(name)s`` placeholders filled from ``params``)."""

    REASONS: dict = {}

    def __init__(self, reason: str, **params):
        super().__init__(reason)
        self.reason = reason
        self.params = params

    @property
    def message(self) -> str:
        text = str(self.REASONS[self.reason])
        return text % self.params if self.params else text
