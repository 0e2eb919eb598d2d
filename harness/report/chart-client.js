// Browser side of the report charts, inlined into the HTML after uPlot. Reads the chart model built
// by html-chart.ts from #rehearse-charts. Plain ES5-ish JS: no build step, no network, no modules.
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('rehearse-charts').textContent);
  // Space above the plot: row 1 holds step labels, row 2 stall markers, so neither hides a line.
  var STRIP = 42;
  var HEIGHT = 300;
  var charts = [];

  function px() {
    return uPlot.pxRatio || window.devicePixelRatio || 1;
  }

  function num(v) {
    return Math.round(v).toLocaleString('en-US');
  }

  var UNIT_SUFFIX = { rps: '/s', ms: ' ms', backends: '', requests: '', cores: ' cores', responses: '' };

  // Cores are fractions (0.35 of a core); everything else reads best as whole numbers.
  function fmt(unit, v) {
    return unit === 'cores' ? v.toFixed(2) : num(v);
  }

  function legendValue(unit) {
    return function (u, v, si, idx) {
      if (idx == null) return ''; // cursor not over the plot
      return v == null ? 'not measured' : fmt(unit, v) + UNIT_SUFFIX[unit];
    };
  }

  // Diagonal hatching for CPU-saturated seconds: visible over bands, distinct from stall red.
  var hatch = null;
  function hatchPattern(ctx) {
    if (hatch) return hatch;
    var p = px();
    var c = document.createElement('canvas');
    c.width = c.height = Math.round(8 * p);
    var g = c.getContext('2d');
    g.strokeStyle = 'rgba(71,85,105,0.4)';
    g.lineWidth = p;
    g.beginPath();
    g.moveTo(0, c.height);
    g.lineTo(c.width, 0);
    g.stroke();
    hatch = ctx.createPattern(c, 'repeat');
    return hatch;
  }

  // Longest prefix of text (with an ellipsis) that fits in maxW canvas pixels; '' if nothing fits.
  function fitText(ctx, text, maxW) {
    if (ctx.measureText(text).width <= maxW) return text;
    for (var n = text.length - 1; n > 0; n--) {
      var t = text.slice(0, n) + '…';
      if (ctx.measureText(t).width <= maxW) return t;
    }
    return '';
  }

  // Clamp a time span (seconds) to the plot area, in canvas pixels.
  function span(u, a, b) {
    var l = u.bbox.left;
    var r = l + u.bbox.width;
    var x0 = Math.max(l, Math.min(r, u.valToPos(a, 'x', true)));
    var x1 = Math.max(l, Math.min(r, u.valToPos(b, 'x', true)));
    return [x0, x1];
  }

  function overlays(vc, el) {
    return {
      hooks: {
        // Under the grid and series: step bands and stall columns.
        drawClear: [
          function (u) {
            var ctx = u.ctx;
            var p = px();
            var top = u.bbox.top - STRIP * p;
            var h = u.bbox.height + STRIP * p;
            ctx.save();
            if (vc.warmup) {
              var wr = span(u, vc.warmup.start, vc.warmup.end);
              ctx.fillStyle = 'rgba(100,116,139,0.22)';
              ctx.fillRect(wr[0], top, Math.max(wr[1] - wr[0], 2 * p), h);
            }
            vc.bands.forEach(function (b) {
              var r = span(u, b.start, b.end);
              ctx.fillStyle = b.status === 'failed' ? 'rgba(234,88,12,0.20)' : b.index % 2 ? 'rgba(37,99,235,0.09)' : 'rgba(13,148,136,0.11)';
              ctx.fillRect(r[0], top, Math.max(r[1] - r[0], 2 * p), h);
              ctx.fillStyle = 'rgba(51,65,85,0.45)';
              ctx.fillRect(r[0], top, p, h);
            });
            (vc.events || []).forEach(function (ev) {
              if (ev.end === null || ev.end <= ev.start) return;
              var r = span(u, ev.start, ev.end);
              ctx.fillStyle = 'rgba(147,51,234,0.10)';
              ctx.fillRect(r[0], u.bbox.top, Math.max(r[1] - r[0], p), u.bbox.height);
            });
            vc.stalls.forEach(function (s) {
              var r = span(u, s.start, s.end);
              ctx.fillStyle = 'rgba(220,38,38,0.20)';
              // Never thinner than 3 px: a short stall on a long run must still be visible.
              ctx.fillRect(r[0], u.bbox.top, Math.max(r[1] - r[0], 3 * p), u.bbox.height);
            });
            if (vc.saturated.length) {
              ctx.fillStyle = hatchPattern(ctx);
              vc.saturated.forEach(function (s) {
                var r = span(u, s.start, s.end);
                ctx.fillRect(r[0], u.bbox.top, Math.max(r[1] - r[0], 2 * p), u.bbox.height);
              });
            }
            ctx.restore();
          },
        ],
        // Over the series: labels in the strip and red stall edges.
        draw: [
          function (u) {
            var ctx = u.ctx;
            var p = px();
            var top = u.bbox.top - STRIP * p;
            var right = u.bbox.left + u.bbox.width;
            var drawn = [];
            ctx.save();
            ctx.textBaseline = 'middle';
            ctx.font = 600 + ' ' + 12 * p + 'px system-ui, -apple-system, "Segoe UI", sans-serif';
            if (vc.warmup) {
              var wr = span(u, vc.warmup.start, vc.warmup.end);
              var first = vc.bands[0];
              var wlimit = first ? Math.max(wr[1], span(u, first.start, first.end)[0]) : right;
              var wtext = fitText(ctx, vc.warmup.label, wlimit - wr[0] - 6 * p) || fitText(ctx, 'warm-up', wlimit - wr[0] - 2 * p);
              if (wtext) {
                ctx.fillStyle = '#475569';
                ctx.fillText(wtext, wr[0] + 3 * p, top + 10 * p);
                drawn.push(wtext);
              }
            }
            // A label may run past its band into empty space, up to where the next band starts.
            vc.bands.forEach(function (b, k) {
              var r = span(u, b.start, b.end);
              var next = vc.bands[k + 1];
              var limit = next ? Math.max(r[1], span(u, next.start, next.end)[0]) : right;
              var avail = limit - r[0] - 6 * p;
              var text = fitText(ctx, b.index + ' ' + b.name, avail) || fitText(ctx, String(b.index), avail + 4 * p);
              if (!text) return;
              ctx.fillStyle = b.status === 'failed' ? '#9a3412' : '#1e293b';
              ctx.fillText(text, r[0] + 3 * p, top + 10 * p);
              drawn.push(text);
            });
            ctx.font = 600 + ' ' + 11 * p + 'px system-ui, -apple-system, "Segoe UI", sans-serif';
            vc.stalls.forEach(function (s) {
              var r = span(u, s.start, s.end);
              var w = Math.max(r[1] - r[0], 3 * p);
              var y = top + 28 * p;
              ctx.fillStyle = '#dc2626';
              ctx.fillRect(r[0], y - 7 * p, w, 14 * p);
              ctx.fillRect(r[0], u.bbox.top, 1.5 * p, u.bbox.height);
              ctx.fillRect(r[0] + w - 1.5 * p, u.bbox.top, 1.5 * p, u.bbox.height);
              // Label inside the bar when it fits, else beside it (right, or left near the edge).
              var tw = ctx.measureText(s.label).width;
              // A wide bar gets the label inside, cut with an ellipsis if needed (the legend has it whole).
              var inside = s.label;
              if (tw + 8 * p > w && w >= 90 * p) {
                while (inside.length > 1 && ctx.measureText(inside + '…').width + 8 * p > w) inside = inside.slice(0, -1);
                inside += '…';
              }
              if (ctx.measureText(inside).width + 8 * p <= w) {
                ctx.fillStyle = '#ffffff';
                ctx.fillText(inside, r[0] + 4 * p, y);
              } else {
                ctx.fillStyle = '#b91c1c';
                var x = r[0] + w + 4 * p + tw <= right ? r[0] + w + 4 * p : Math.max(u.bbox.left, r[0] - 4 * p - tw);
                ctx.fillText(s.label, x, y);
              }
            });
            // Events: a purple line at the start and an "E<n>" tag at the bottom of the plot.
            ctx.font = 700 + ' ' + 10 * p + 'px system-ui, -apple-system, "Segoe UI", sans-serif';
            (vc.events || []).forEach(function (ev) {
              var x = span(u, ev.start, ev.start)[0];
              ctx.fillStyle = '#9333ea';
              ctx.fillRect(x - p, u.bbox.top, 2 * p, u.bbox.height);
              var tag = 'E' + ev.index;
              var tw = ctx.measureText(tag).width;
              ctx.fillRect(x - p, u.bbox.top + u.bbox.height - 14 * p, tw + 6 * p, 14 * p);
              ctx.fillStyle = '#ffffff';
              ctx.fillText(tag, x + 2 * p, u.bbox.top + u.bbox.height - 7 * p);
            });
            ctx.restore();
            // Exposed for tests and for anyone inspecting the page: what the canvas actually shows.
            el.setAttribute('data-band-labels', JSON.stringify(drawn));
            el.setAttribute('data-stall-markers', String(vc.stalls.length));
            el.setAttribute('data-event-markers', String((vc.events || []).length));
            el.setAttribute('data-saturated-spans', String(vc.saturated.length));
          },
        ],
      },
    };
  }

  function build(vc, panel) {
    var el = document.getElementById(panel.id);
    var series = [{ label: 'second', value: function (u, v, si, idx) { return idx == null || v == null ? '' : v + ' s'; } }];
    panel.series.forEach(function (s) {
      series.push({
        label: s.label,
        scale: s.scale,
        stroke: s.color,
        width: s.width || 1.5,
        dash: s.dash,
        spanGaps: false, // a gap is an unmeasured second; never bridge it
        points: { show: false },
        paths: uPlot.paths.stepped({ align: 1 }),
        value: legendValue(s.scale),
      });
    });
    var scales = { x: { time: false, range: [0, vc.xMax] } };
    var axes = [
      { label: 'seconds since start', values: function (u, vals) { return vals.map(function (v) { return v + ' s'; }); } },
    ];
    panel.axes.forEach(function (a) {
      scales[a.scale] = { range: model.ranges[a.scale] };
      axes.push({
        scale: a.scale,
        label: a.label,
        side: a.side === 'right' ? 1 : 3,
        grid: { show: a.side === 'left' },
        size: 64,
        values: function (u, vals) { return vals.map(function (v) { return a.scale === 'cores' ? v.toFixed(1) : num(v); }); },
      });
    });
    var opts = {
      width: Math.max(el.clientWidth, 320),
      height: HEIGHT,
      padding: [STRIP + 4, null, null, null],
      scales: scales,
      axes: axes,
      series: series,
      cursor: { sync: { key: vc.id } },
      legend: { live: true },
      plugins: [overlays(vc, el)],
    };
    charts.push({ el: el, plot: new uPlot(opts, panel.data, el) });
  }

  model.variants.forEach(function (vc) {
    if (!vc) return;
    vc.panels.forEach(function (panel) { build(vc, panel); });
  });

  window.addEventListener('resize', function () {
    charts.forEach(function (c) {
      c.plot.setSize({ width: Math.max(c.el.clientWidth, 320), height: HEIGHT });
    });
  });
})();
