/// Mouse: a click on a tab shows that screen, a click on a row selects it (a second click on a selected folder
/// opens or closes it), the wheel scrolls the list or log under it. Placed with the same layout the renderer uses.
extension AppState {
    mutating func handleMouse(_ m: MouseEvent) -> [AppEffect] {
        let (w, h) = viewSize
        guard w >= Renderer.minWidth, h >= Renderer.minHeight else { return [] }
        if editing != nil || search != nil { return [] }
        if m.y == 0, m.kind == .press {
            if let tab = Renderer.tabLayout(self, width: w).tabs.first(where: { $0.x.contains(m.x) }) { show(tab.id) }
            return []
        }
        let step = m.kind == .wheelUp ? -3 : m.kind == .wheelDown ? 3 : 0
        let body = Rect(x: 0, y: 1, width: w, height: h - 2)
        switch screen {
        case .config:
            if step != 0 { selected = min(max(0, rows.count - 1), max(0, selected + step)); return [] }
            guard let list = ConfigScreen.treeList(self, in: body), list.rect.contains(x: m.x, y: m.y) else { return [] }
            let i = list.top + m.y - list.rect.y
            guard rows.indices.contains(i) else { return [] }
            if i == selected, rows[i].isContainer { return handleConfig(.enter) }
            selected = i
        case .checkpoints:
            if step != 0 { selectCheckpoint(min(max(0, checkpoints.count - 1), max(0, checkpointSelected + step / 3))); return [] }
            // The table's first row is under the box's top border and the header.
            let i = m.y - body.y - 2
            if checkpoints.indices.contains(i) { selectCheckpoint(i); showCheckpointDetail = false }
        case .logs:
            if step != 0 { scrollLogs(by: step) }
        case .run, .compare:
            break
        }
        return []
    }
}

extension Rect {
    func contains(x px: Int, y py: Int) -> Bool { px >= x && px < x + width && py >= y && py < y + height }
}
