// A small line chart on a canvas, drawn by hand: one series, its latest value and its peak.

/** Draws values (oldest first) scaled to their peak; format turns a value into text. */
export function drawChart(canvas, values, {label, format, color = '--accent'}) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 300, height = canvas.clientHeight || 90;
  if (canvas.width !== Math.round(width * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const g = canvas.getContext('2d');
  const css = getComputedStyle(canvas);
  const ink = css.getPropertyValue('--fg').trim() || '#000';
  const line = css.getPropertyValue(color).trim() || '#36c';
  const grid = css.getPropertyValue('--grid').trim() || '#ccc';
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const top = 18, bottom = height - 4;
  const peak = Math.max(...values, 0) || 1;
  g.strokeStyle = grid;
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(0, top + 0.5);
  g.lineTo(width, top + 0.5);
  g.moveTo(0, bottom + 0.5);
  g.lineTo(width, bottom + 0.5);
  g.stroke();
  g.fillStyle = ink;
  g.font = '12px system-ui, sans-serif';
  const last = values.length ? values[values.length - 1] : null;
  g.fillText(`${label}: ${last == null ? '–' : format(last)}  (peak ${format(Math.max(...values, 0))})`, 2, 12);
  if (values.length < 2) return;
  g.strokeStyle = line;
  g.lineWidth = 2;
  g.beginPath();
  values.forEach((v, i) => {
    const x = (i / (values.length - 1)) * width;
    const y = bottom - (v / peak) * (bottom - top);
    if (i === 0) g.moveTo(x, y);
    else g.lineTo(x, y);
  });
  g.stroke();
}
