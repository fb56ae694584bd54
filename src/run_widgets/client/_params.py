"""The argument types of the resource methods: our request models, or plain dicts of the same shape.

Every argument is validated against ``run_widgets.models.requests`` before it is sent, so a dict
with a typo fails just as early as a model would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias

from ..models import (
    AttachmentParam,
    ContentPartParam,
    CreateMessageRequest,
    CreateThreadRequest,
    ReasoningEffortParam,
    ResponseFormatParam,
    ToolChoiceParam,
    ToolOutputParam,
    ToolParam,
    ToolResourcesParam,
    TruncationStrategyParam,
)

JSONObject: TypeAlias = Mapping[str, Any]
Metadata: TypeAlias = Mapping[str, str]
Tools: TypeAlias = Iterable[ToolParam | JSONObject]
ToolChoice: TypeAlias = Literal["none", "auto", "required"] | ToolChoiceParam | JSONObject
ResponseFormat: TypeAlias = Literal["auto"] | ResponseFormatParam | JSONObject
Truncation: TypeAlias = TruncationStrategyParam | JSONObject
ToolResources: TypeAlias = ToolResourcesParam | JSONObject
ReasoningEffort: TypeAlias = ReasoningEffortParam
MessageContent: TypeAlias = str | Iterable[ContentPartParam | JSONObject]
Attachments: TypeAlias = Iterable[AttachmentParam | JSONObject]
AdditionalMessages: TypeAlias = Iterable[CreateMessageRequest | JSONObject]
ThreadParams: TypeAlias = CreateThreadRequest | JSONObject
ToolOutputs: TypeAlias = Iterable[ToolOutputParam | JSONObject]
Include: TypeAlias = Iterable[str]
Order: TypeAlias = Literal["asc", "desc"]
