import type { ConfidenceBand } from "../bindings";
import { BAND_SHORT, BAND_WORD } from "../labels";

type Props = {
  value: number;
  band: ConfidenceBand;
  size?: "large" | "small";
  label?: string;
  numberTestId?: string;
  bandTestId?: string;
};

/** A horizontal bar, the number (2 decimals) and the band word: never colour alone. */
export function ConfidenceBar({ value, band, size = "large", label, numberTestId, bandTestId }: Props) {
  const clamped = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
  const pct = Math.round(clamped * 1000) / 10;
  return (
    <div className={`confidence confidence--${size} band--${band}`}>
      <div
        className="confidence__track"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={1}
        aria-valuenow={clamped}
        aria-valuetext={`${clamped.toFixed(2)} ${BAND_WORD[band].toLowerCase()}`}
        aria-label={label ?? "Confidence"}
      >
        <div className="confidence__fill" style={{ width: `${pct}%` }} />
      </div>
      <span className="confidence__number" data-testid={numberTestId}>
        {clamped.toFixed(2)}
      </span>
      <span className="confidence__band" data-testid={bandTestId}>
        {size === "large" ? BAND_WORD[band] : BAND_SHORT[band]}
      </span>
    </div>
  );
}
