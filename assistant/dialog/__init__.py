"""The pure dialogue core: text and understanding in, German replies out."""
