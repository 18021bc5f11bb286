"""The map: official boundaries (config, cache, download, schematic), the units it draws, the pydeck map."""
