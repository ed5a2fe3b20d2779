// Progressive enhancement only: every feature works without this file.
(function () {
    "use strict";
    // Filter selects submit on change so phones need one tap less; the button stays for no-JS.
    document.querySelectorAll("form.filters select").forEach(function (select) {
        select.addEventListener("change", function () {
            select.form.submit();
        });
    });
})();
