/* The lead form's investor typeahead: picking a result fills the hidden investor id; typing
   again means a new investor (its credit code and flags are then asked). */
(function () {
  "use strict";
  var name = document.getElementById("id_investor_name");
  var id = document.getElementById("id_investor");
  var results = document.getElementById("investor-results");
  var picked = document.getElementById("investor-picked");
  var newFields = document.getElementById("new-investor-fields");
  if (!name || !id) return;

  function setPicked(isPicked) {
    picked.classList.toggle("d-none", !isPicked);
    newFields.classList.toggle("d-none", isPicked);
  }

  results.addEventListener("click", function (evt) {
    var button = evt.target.closest(".investor-pick");
    if (!button) return;
    id.value = button.dataset.id;
    name.value = button.dataset.name;
    results.innerHTML = "";
    setPicked(true);
    document.body.dispatchEvent(new Event("investor-picked"));
  });
  name.addEventListener("input", function () {
    if (id.value) { id.value = ""; setPicked(false); }
  });
  document.getElementById("investor-unpick").addEventListener("click", function (evt) {
    evt.preventDefault();
    id.value = "";
    setPicked(false);
    name.focus();
  });
  document.addEventListener("click", function (evt) {
    if (!evt.target.closest("#investor-results") && evt.target !== name) results.innerHTML = "";
  });
})();
