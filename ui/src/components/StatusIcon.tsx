import type { ActionStatus } from "../bindings";

/**
 * ✓ ✗ ⛔ ⏳ drawn as SVG: the emoji forms are missing from common Linux fonts (DejaVu), and an
 * empty box would leave only the colour. Always shown next to the status word.
 */
export function StatusIcon({ status }: { status: ActionStatus }) {
  const common = {
    width: 12,
    height: 12,
    viewBox: "0 0 12 12",
    "aria-hidden": true,
    className: "status-icon",
    fill: "none",
    stroke: "currentColor",
    strokeWidth: 1.8,
    strokeLinecap: "round" as const,
    strokeLinejoin: "round" as const,
  };
  switch (status) {
    case "succeeded":
      return (
        <svg {...common}>
          <path d="M2 6.5 5 9.5 10 3" />
        </svg>
      );
    case "failed":
      return (
        <svg {...common}>
          <path d="M3 3 9 9M9 3 3 9" />
        </svg>
      );
    case "denied":
      return (
        <svg {...common}>
          <circle cx="6" cy="6" r="4.8" />
          <path d="M3.4 6h5.2" />
        </svg>
      );
    case "pending":
      return (
        <svg {...common} strokeWidth={1.4}>
          <path d="M3 1.5h6M3 10.5h6M3.5 1.5c0 3 5 3 5 4.5s-5 1.5-5 4.5M8.5 1.5c0 3-5 3-5 4.5s5 1.5 5 4.5" />
        </svg>
      );
  }
}
