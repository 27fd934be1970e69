/**
 * Charts as plain SVG (no chart library: the console's JavaScript budget). The numbers are also
 * text: a bar chart's rows carry their label and value, a column chart has a label naming its
 * totals and a title per column.
 */
export interface Bar {
  label: string;
  value: number;
  /** Shown after the bar (e.g. "3.50 h"). */
  text: string;
}

export function BarChart({ bars, title }: { bars: Bar[]; title: string }) {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  return (
    <figure className="bar-chart">
      <figcaption>{title}</figcaption>
      {bars.map((bar) => (
        <div className="bar-row" key={bar.label}>
          <span className="bar-label">{bar.label}</span>
          <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" className="bar-track">
            <rect width={Math.max(0.5, (bar.value / max) * 100)} height={10} className="bar" />
          </svg>
          <span className="bar-value">{bar.text}</span>
        </div>
      ))}
    </figure>
  );
}

export interface Column {
  label: string;
  value: number;
  /** The part of `value` drawn in the warning colour (errors among requests). */
  part?: number;
}

export function ColumnChart({ columns, title }: { columns: Column[]; title: string }) {
  const max = Math.max(1, ...columns.map((column) => column.value));
  const width = columns.length * 10;
  return (
    <svg
      className="column-chart"
      role="img"
      aria-label={title}
      viewBox={`0 0 ${width} 100`}
      preserveAspectRatio="none"
    >
      {columns.map((column, i) => {
        const height = (column.value / max) * 100;
        const part = ((column.part ?? 0) / max) * 100;
        return (
          <g key={column.label}>
            <title>{column.label}</title>
            <rect x={i * 10 + 1} y={100 - height} width={8} height={height} className="bar" />
            {part > 0 && <rect x={i * 10 + 1} y={100 - part} width={8} height={part} className="bar warn" />}
          </g>
        );
      })}
    </svg>
  );
}
