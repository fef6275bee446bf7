/* Search from a site opened from disk.
 *
 * The theme's search runs in a Web Worker, and browsers refuse to start a worker from a
 * file:// page. MkDocs Material's `offline` plugin would load a polyfill from unpkg.com;
 * modeldoc's sites make no network requests, so this file stands in for it (its name holds
 * "iframe-worker", which tells the plugin a polyfill is present). On file:// pages the worker
 * script runs in a hidden iframe instead, its messages passed through the iframe's window;
 * served over http(s), nothing changes.
 */
(function () {
  "use strict";
  if (location.protocol !== "file:") {
    return;
  }

  function load(frameDocument, src) {
    return new Promise(function (resolve, reject) {
      var script = frameDocument.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      (frameDocument.head || frameDocument.documentElement).appendChild(script);
    });
  }

  class FrameWorker extends EventTarget {
    constructor(url) {
      super();
      var worker = this;
      var source = new URL(url, location.href).href;
      this.onmessage = null;
      this.onerror = null;
      this.queued = [];
      this.frame = document.createElement("iframe");
      this.frame.hidden = true;
      (document.body || document.documentElement).appendChild(this.frame);
      var scope = this.frame.contentWindow;
      // What the worker script calls as globals: postMessage answers the page.
      scope.postMessage = function (data) {
        worker.deliver(new MessageEvent("message", { data: data }));
      };
      scope.importScripts = function () {
        return Array.prototype.reduce.call(arguments, function (done, src) {
          return done.then(function () {
            return load(scope.document, new URL(src, source).href);
          });
        }, Promise.resolve());
      };
      load(scope.document, source).then(function () {
        var queued = worker.queued;
        worker.queued = null;
        queued.forEach(function (data) { worker.postMessage(data); });
      }, function () {
        worker.deliver(new Event("error"));
      });
    }

    postMessage(data) {
      if (this.queued) {
        this.queued.push(data);
        return;
      }
      var scope = this.frame.contentWindow;
      // A real worker answers later, never inside postMessage: keep that order.
      setTimeout(function () {
        scope.dispatchEvent(new scope.MessageEvent("message", { data: data }));
      }, 0);
    }

    terminate() {
      this.frame.remove();
    }

    deliver(event) {
      var handler = event.type === "message" ? this.onmessage : this.onerror;
      if (typeof handler === "function") {
        handler.call(this, event);
      }
      this.dispatchEvent(event);
    }
  }

  window.Worker = FrameWorker;
})();
