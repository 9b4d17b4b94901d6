// Starts Swagger UI on /docs from the files this server serves (no CDN, no inline script).
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis], layout: "BaseLayout",
    validatorUrl: null, tryItOutEnabled: false, defaultModelsExpandDepth: 0,
  });
});
