// The scan page: read a label's QR code with the camera where the browser has BarcodeDetector, else type.
// Served from this origin (no inline script: the Content-Security-Policy allows only 'self'). Whatever is read
// goes into the same form a typed token does, so the server sees one path and decides; nothing is decided here.
(function () {
  "use strict";

  var form = document.getElementById("reveal-form");
  var tokenInput = document.getElementById("token");
  var startButton = document.getElementById("scan-start");
  var stopButton = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  if (!form || !tokenInput || !startButton || !video || !status) {
    return;
  }
  var stream = null;
  var running = false;

  function say(text) {
    status.textContent = text;
  }

  function stop() {
    running = false;
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.hidden = true;
    if (stopButton) { stopButton.hidden = true; }
    startButton.hidden = false;
  }

  function submitToken(text) {
    tokenInput.value = text;
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  var canScan = "BarcodeDetector" in window && navigator.mediaDevices &&
    typeof navigator.mediaDevices.getUserMedia === "function";
  if (!canScan) {
    say("此浏览器不能扫码，请输入二维码下方的内容 · This browser cannot scan: type the code instead.");
    return;
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) {
      say("此浏览器不能识别二维码，请输入 · This browser cannot read QR codes: type the code instead.");
      return;
    }
    startButton.hidden = false;
    say("");
  }).catch(function () {
    say("扫码不可用，请输入 · Scanning is not available: type the code instead.");
  });

  startButton.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        startButton.hidden = true;
        if (stopButton) { stopButton.hidden = false; }
        running = true;
        say("对准面单上的二维码 · Point the camera at the label's QR code.");
        return video.play();
      })
      .then(function () { look(detector); })
      .catch(function () {
        stop();
        say("无法打开相机，请输入 · The camera could not be opened: type the code instead.");
      });
  });

  if (stopButton) {
    stopButton.addEventListener("click", function () { stop(); say(""); });
  }

  function look(detector) {
    if (!running) { return; }
    detector.detect(video).then(function (codes) {
      if (!running) { return; }
      if (codes.length > 0 && codes[0].rawValue) {
        var text = codes[0].rawValue;
        stop();
        say("已识别 · Code read.");
        submitToken(text);
        return;
      }
      window.setTimeout(function () { look(detector); }, 200);
    }).catch(function () {
      window.setTimeout(function () { look(detector); }, 400);
    });
  }
})();
