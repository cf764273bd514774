import type { Priority } from "../bindings";
import { PRIORITY_LABEL } from "../labels";

export function PriorityBadge({ priority }: { priority: Priority }) {
  return (
    <span className={`priority priority--${priority}`}>
      <span className="priority__dot" aria-hidden="true" />
      <span className="priority__word">{PRIORITY_LABEL[priority]}</span>
    </span>
  );
}
