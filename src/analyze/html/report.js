/* heapwise HTML report: draws the charts and flame graphs from the JSON data embedded in
 * the page (#heapwise-data). Plain ES2015, no libraries, nothing fetched. */
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('heapwise-data').textContent);

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function bytes(n) {
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(n < 10 ? 2 : 1) : String(n)) + ' ' + units[i];
  }
  function duration(ns) {
    if (ns < 1e3) return ns + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(1) + ' \u00b5s';
    if (ns < 1e9) return (ns / 1e6).toFixed(1) + ' ms';
    return (ns / 1e9).toFixed(2) + ' s';
  }

  /* Memory over time: live bytes (area + line), live blocks (dashed, own scale), the
   * heap's peak marked; below it, on the same time axis, the resident set size on its own
   * bytes scale (a process's RSS can dwarf its heap: one scale would flatten the heap). */
  var W = 1000, H = 330, L = 70, R = 60, T = 40, B = 30;
  function lastTime(s) { return s.length ? s[s.length - 1][0] : 0; }
  function peakIndex(s) {
    var k = 0;
    s.forEach(function (p, i) { if (p[1] > s[k][1]) k = i; });
    return k;
  }

  function chart(box, tl, rss) {
    var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, 'class': 'chart-svg'}, box);
    svg.setAttribute('data-points', tl.length);
    svg.setAttribute('data-rss-points', rss.length);
    if (!tl.length && !rss.length) {
      el('text', {x: W / 2, y: H / 2, 'text-anchor': 'middle'}, svg).textContent = 'no allocations';
      return;
    }
    var tmax = Math.max(1, lastTime(tl), lastTime(rss)), bmax = 1, nmax = 1;
    tl.forEach(function (p) { bmax = Math.max(bmax, p[1]); nmax = Math.max(nmax, p[2]); });
    function x(t) { return L + (W - L - R) * t / tmax; }
    function y(v, max) { return H - B - (H - T - B) * v / max; }
    /* Column col of s as polyline points; with step, a value holds until the next point
     * (the live heap changes only at events), else points are joined (RSS samples). */
    function line(s, col, max, step) {
      var pts = [];
      s.forEach(function (p, i) {
        if (step && i > 0) pts.push(x(p[0]).toFixed(1) + ',' + y(s[i - 1][col], max).toFixed(1));
        pts.push(x(p[0]).toFixed(1) + ',' + y(p[col], max).toFixed(1));
      });
      return pts.join(' ');
    }
    axes(svg, bmax, nmax, tmax, y, 'live heap (bytes)', 'live blocks (dashed)');
    if (tl.length) {
      var area = x(tl[0][0]).toFixed(1) + ',' + (H - B) + ' ' + line(tl, 1, bmax, true) + ' ' +
                 x(lastTime(tl)).toFixed(1) + ',' + (H - B);
      el('polygon', {points: area, 'class': 'area-bytes'}, svg);
      el('polyline', {points: line(tl, 1, bmax, true), 'class': 'line-bytes'}, svg);
      el('polyline', {points: line(tl, 2, nmax, true), 'class': 'line-blocks'}, svg);
      peakMark(box, svg, tl[peakIndex(tl)], x(tl[peakIndex(tl)][0]), y(tl[peakIndex(tl)][1], bmax));
    }
    hover(box, svg, tl, rss, x, function (v) { return y(v, bmax); });
    if (!rss.length)
      return;
    var rsvg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, 'class': 'chart-svg-rss'}, box);
    var rmax = Math.max(1, rss[peakIndex(rss)][1]);
    axes(rsvg, rmax, 0, tmax, y, 'resident set size (bytes, sampled)', '');
    el('polyline', {points: line(rss, 1, rmax, false), 'class': 'line-rss',
                    'data-points': rss.length}, rsvg);
    box.setAttribute('data-rss-peak-bytes', rss[peakIndex(rss)][1]);
    hover(box, rsvg, [], rss, x, function (v) { return y(v, rmax); });
  }

  /* Grid, byte labels (left), nmax's labels (right, when nmax), time axis and titles. */
  function axes(svg, bmax, nmax, tmax, y, title, rightTitle) {
    for (var g = 0; g <= 4; g++) {
      var gy = y(bmax * g / 4, bmax);
      el('line', {x1: L, x2: W - R, y1: gy, y2: gy, 'class': 'grid'}, svg);
      el('text', {x: L - 6, y: gy + 4, 'text-anchor': 'end'}, svg).textContent = bytes(Math.round(bmax * g / 4));
      if (nmax)
        el('text', {x: W - R + 6, y: gy + 4}, svg).textContent = Math.round(nmax * g / 4);
    }
    el('line', {x1: L, x2: W - R, y1: H - B, y2: H - B, 'class': 'axis'}, svg);
    el('text', {x: L, y: H - 10}, svg).textContent = '0';
    el('text', {x: W - R, y: H - 10, 'text-anchor': 'end'}, svg).textContent = duration(tmax);
    el('text', {x: (L + W - R) / 2, y: H - 10, 'text-anchor': 'middle'}, svg).textContent = 'time';
    el('text', {x: L, y: 14}, svg).textContent = title;
    el('text', {x: W - R, y: 14, 'text-anchor': 'end'}, svg).textContent = rightTitle;
  }

  function peakMark(box, svg, pk, px, py) {
    el('circle', {cx: px, cy: py, r: 5, 'class': 'peak-marker', 'data-bytes': pk[1],
                  'data-time-ns': pk[0]}, svg);
    var right = px > (L + W - R) / 2;
    el('text', {x: right ? px - 10 : px + 10, y: py - 10, 'class': 'peak-label',
                'text-anchor': right ? 'end' : 'start'}, svg)
      .textContent = 'peak ' + bytes(pk[1]) + ' at ' + duration(pk[0]);
    box.setAttribute('data-peak-bytes', pk[1]);
  }

  /* The point of s (sorted by time) drawn nearest to the chart's x coordinate sx. */
  function nearest(s, x, sx) {
    var lo = 0, hi = s.length - 1;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (x(s[mid][0]) < sx) lo = mid + 1; else hi = mid; }
    if (lo > 0 && sx - x(s[lo - 1][0]) < x(s[lo][0]) - sx) lo--;
    return s[lo];
  }

  function hover(box, svg, tl, rss, x, y) {
    var tip = document.createElement('div'), cursor = el('line', {'class': 'cursor', y1: T, y2: H - B}, svg);
    tip.className = 'tooltip';
    box.appendChild(tip);
    cursor.style.display = 'none';
    svg.addEventListener('mousemove', function (ev) {
      var r = svg.getBoundingClientRect(), sx = (ev.clientX - r.left) * W / r.width;
      var p = tl.length ? nearest(tl, x, sx) : null, q = rss.length ? nearest(rss, x, sx) : null;
      var at = p || q, text = duration(at[0]) + ':';
      if (p) text += ' heap ' + bytes(p[1]) + ' (' + p[1] + ' bytes) in ' + p[2] + ' blocks';
      if (q) text += (p ? ';' : '') + ' RSS ' + bytes(q[1]) + (p ? '' : ' at ' + duration(q[0]));
      cursor.setAttribute('x1', x(at[0]));
      cursor.setAttribute('x2', x(at[0]));
      cursor.style.display = '';
      tip.textContent = text;
      tip.style.display = 'block';
      tip.style.left = Math.min(ev.clientX - r.left + 12, r.width - 260) + 'px';
      tip.style.top = (r.top - box.getBoundingClientRect().top + y(at[1]) * r.height / H + 10) + 'px';
    });
    svg.addEventListener('mouseleave', function () { tip.style.display = 'none'; cursor.style.display = 'none'; });
  }

  /* Flame graph: root at the top (icicle), click a frame to zoom, click the root to reset. */
  function tree(f) {
    var root = {name: 'all', value: 0, kids: {}};
    f.stacks.forEach(function (s) {
      var node = root;
      root.value += s[0];
      for (var i = 1; i < s.length; i++) {
        var name = f.names[s[i]];
        node = node.kids[name] || (node.kids[name] = {name: name, value: 0, kids: {}, parent: node});
        node.value += s[0];
      }
    });
    return root;
  }
  function color(name) {
    var h = 0;
    for (var i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
    return 'hsl(' + (10 + Math.abs(h) % 40) + ',' + (70 + Math.abs(h >> 8) % 20) + '%,' + (55 + Math.abs(h >> 4) % 15) + '%)';
  }
  var FW = 1100, RH = 18;
  function flame(box, f) {
    box.textContent = '';
    var root = tree(f);
    if (!root.value) {
      var p = document.createElement('p');
      p.className = 'empty';
      p.textContent = 'nothing to show';
      box.appendChild(p);
      return;
    }
    draw(box, root, root);
  }
  function depth(n) { var d = 0; for (var k in n.kids) d = Math.max(d, depth(n.kids[k])); return d + 1; }
  function draw(box, root, zoom) {
    box.textContent = '';
    var chain = [];
    for (var a = zoom; a; a = a.parent) chain.unshift(a);
    var rows = chain.length - 1 + depth(zoom);
    var svg = el('svg', {viewBox: '0 0 ' + FW + ' ' + rows * RH, 'class': 'flame-svg'}, box);
    svg.setAttribute('data-frames', 0);
    function rect(n, x0, w, row, dim) {
      var g = el('g', {}, svg);
      el('rect', {x: x0, y: row * RH, width: Math.max(w, 0.5), height: RH - 1, fill: color(n.name),
                  'class': dim ? 'dim' : ''}, g);
      el('title', {}, g).textContent = n.name + ': ' + bytes(n.value) + ' (' +
        (100 * n.value / root.value).toFixed(1) + '%)';
      if (w > 40) {
        var t = el('text', {x: x0 + 3, y: row * RH + 13}, g);
        var fit = Math.floor((w - 6) / 6.6);
        t.textContent = n.name.length > fit ? n.name.slice(0, Math.max(fit - 1, 0)) + '\u2026' : n.name;
      }
      g.addEventListener('click', function () { draw(box, root, n === zoom ? n.parent || root : n); });
      svg.setAttribute('data-frames', +svg.getAttribute('data-frames') + 1);
    }
    chain.forEach(function (n, i) { if (i < chain.length - 1) rect(n, 0, FW, i, true); });
    (function walk(n, x0, w, row) {
      rect(n, x0, w, row, false);
      var kids = Object.keys(n.kids).map(function (k) { return n.kids[k]; })
        .sort(function (a, b) { return b.value - a.value; });
      kids.forEach(function (k) {
        var kw = w * k.value / n.value;
        if (kw >= 0.3) walk(k, x0, kw, row + 1);
        x0 += kw;
      });
    })(zoom, 0, FW, chain.length - 1);
  }

  function flames(sec, proc) {
    var box = sec.querySelector('.flame'), buttons = sec.querySelectorAll('.flame-controls button');
    Array.prototype.forEach.call(buttons, function (b) {
      b.addEventListener('click', function () {
        Array.prototype.forEach.call(buttons, function (o) { o.classList.toggle('on', o === b); });
        flame(box, proc.flame[b.getAttribute('data-which')]);
      });
    });
    flame(box, proc.flame.leaked);
  }

  function tabs(sec) {
    var buttons = sec.querySelectorAll('.tabs button');
    Array.prototype.forEach.call(buttons, function (b) {
      b.addEventListener('click', function () {
        Array.prototype.forEach.call(buttons, function (o) { o.classList.toggle('on', o === b); });
        Array.prototype.forEach.call(sec.querySelectorAll('.site-table'), function (t) {
          t.classList.toggle('on', t.getAttribute('data-by') === b.getAttribute('data-by'));
        });
      });
    });
  }

  data.processes.forEach(function (proc, i) {
    var sec = document.getElementById('process-' + i);
    chart(sec.querySelector('.chart'), proc.timeline, proc.rss || []);
    flames(sec, proc);
    tabs(sec);
  });
  document.body.setAttribute('data-rendered', 'yes');
})();
