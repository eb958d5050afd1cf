"""The live view of an explorer: ipywidgets controls, the picture, the caption and an error pane.

A control's change calls :meth:`Explorer.set`; every successful ``set`` (from a widget or from
code) updates the picture and moves the other widgets to the explorer's values. A failing one
shows its traceback under the picture (never swallowed) and puts the widget back. The picture is
shown at its own 1x CSS size (max 100 % of the column, aspect kept), never stretched: a blurred,
upscaled frame is what JupyterLab showed before. Used by :meth:`Explorer.widget`.
"""
from __future__ import annotations

import html
import traceback


def build_widget(explorer):
    """The live ipywidgets view of ``explorer``: a VBox with handles ``controls``, ``image``
    and ``errors`` for tests."""
    import ipywidgets as widgets

    width, _ = explorer.size_px()
    image = widgets.Image(value=explorer.png(explorer.live_scale), format="png",
                          layout=widgets.Layout(width=f"{width}px", max_width="100%",
                                                height="auto"))
    errors = widgets.Output()
    controls = {c.name: c.make_widget(explorer.values[c.name]) for c in explorer.controls}
    syncing = [False]  # True while the view moves its own widgets: ignore those changes

    def refresh():
        image.value = explorer.png(explorer.live_scale)
        errors.outputs = ()
        syncing[0] = True
        try:
            for name, control in controls.items():
                if control.value != explorer.values[name]:
                    control.value = explorer.values[name]
        finally:
            syncing[0] = False

    def on_change(change, name):
        if syncing[0]:
            return
        try:
            explorer.set(**{name: change["new"]})  # calls refresh
        except Exception:  # show it: a silent callback error looks like a frozen plot
            errors.outputs = ({"output_type": "stream", "name": "stderr",
                               "text": traceback.format_exc()},)
            syncing[0] = True
            try:
                controls[name].value = explorer.values[name]
            finally:
                syncing[0] = False

    for name, control in controls.items():
        control.observe(lambda change, name=name: on_change(change, name), names="value")
    explorer._listeners.append(refresh)
    caption = widgets.HTML(f"<small>{html.escape(explorer.caption)}</small>")
    box = widgets.VBox([*controls.values(), image, caption, errors])
    box.controls, box.image, box.errors = controls, image, errors  # handles for tests
    return box
