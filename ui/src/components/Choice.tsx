import { useRef, type KeyboardEvent } from "react";

export type ChoiceOption<T> = { value: T; label: string; testId?: string; title?: string };

/**
 * A row of radio buttons drawn as a segmented control: one Tab stop, arrows move and pick
 * (as native radios do), and every option keeps its own test hook.
 */
export function Choice<T extends string | number | boolean>({
  label,
  labelId,
  value,
  options,
  onChange,
  invalid,
  className,
}: {
  label: string;
  labelId?: string;
  value: T | null;
  options: readonly ChoiceOption<T>[];
  onChange: (v: T) => void;
  invalid?: boolean;
  className?: string;
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const current = options.findIndex((o) => o.value === value);
  const onKeyDown = (e: KeyboardEvent, i: number) => {
    let next: number | null = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") next = (i + 1) % options.length;
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = (i - 1 + options.length) % options.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = options.length - 1;
    if (next === null) return;
    // ours, not the queue's j/k/arrow shortcuts
    e.preventDefault();
    e.stopPropagation();
    onChange(options[next]!.value);
    refs.current[next]?.focus();
  };
  return (
    <div
      className={`segmented segmented--choice${className ? ` ${className}` : ""}`}
      role="radiogroup"
      aria-label={labelId ? undefined : label}
      aria-labelledby={labelId}
      aria-invalid={invalid || undefined}
    >
      {options.map((o, i) => {
        const checked = o.value === value;
        return (
          <button
            key={String(o.value)}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="radio"
            aria-checked={checked}
            tabIndex={checked || (current === -1 && i === 0) ? 0 : -1}
            className="segmented__item"
            data-testid={o.testId}
            title={o.title}
            onClick={() => onChange(o.value)}
            onKeyDown={(e) => onKeyDown(e, i)}
          >
            {o.label}
          </button>
        );
      })}
    </div>
  );
}
